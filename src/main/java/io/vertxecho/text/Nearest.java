package io.vertxecho.text;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** The valid word a mistyped one was most likely meant to be, for messages that say "did you mean ...?". */
public final class Nearest {

  private Nearest() {
  }

  /**
   * The candidate closest to {@code word} (edit distance, any case), if it is close enough to be a typo of it: at most
   * a third of the longer word's letters apart (one edit for words shorter than six letters).
   */
  public static Optional<String> to(String word, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int distance = distance(word.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best != null && bestDistance <= Math.max(1, Math.max(word.length(), best.length()) / 3)
      ? Optional.of(best) : Optional.empty();
  }

  /**
   * Edit distance counting a swap of two neighbouring letters as one edit, as typos make them (optimal string
   * alignment): the fewest insertions, deletions, substitutions or swaps from {@code a} to {@code b}.
   */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      for (int j = 0; j <= b.length(); j++) {
        if (i == 0 || j == 0) {
          d[i][j] = i + j;
          continue;
        }
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
