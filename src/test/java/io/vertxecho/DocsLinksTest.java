package io.vertxecho;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The docs stand alone: every relative link in the repository's Markdown files leads to a file and heading it holds. */
class DocsLinksTest {

  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final Pattern INLINE_LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
  private static final Pattern REFERENCE_LINK = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s+\"[^\"]*\")?\\s*$");
  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
  private static final Pattern CODE_SPAN = Pattern.compile("`+[^`]*`+");
  private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

  @Test
  @DisplayName("every relative link in a Markdown file points at a file of the repository, and at a heading of it")
  void relativeLinksResolve() {
    List<String> broken = new ArrayList<>();
    Map<Path, Set<String>> anchors = new HashMap<>();
    List<Path> files = markdownFiles();
    assertTrue(files.contains(ROOT.resolve("README.md")), "run from the repository root: " + ROOT);
    for (Path file : files) {
      for (Link link : links(file)) {
        String target = link.target();
        if (SCHEME.matcher(target).find()) {
          continue; // http:, https:, mailto: ...
        }
        int hash = target.indexOf('#');
        String pathPart = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = pathPart.isEmpty() ? file : file.getParent().resolve(pathPart).normalize();
        String where = ROOT.relativize(file) + ":" + link.line() + ": " + target;
        if (!resolved.startsWith(ROOT)) {
          broken.add(where + " (outside the repository)");
        } else if (!Files.exists(resolved)) {
          broken.add(where + " (no such file)");
        } else if (anchor != null && !anchor.isEmpty()) {
          if (!resolved.toString().endsWith(".md")) {
            broken.add(where + " (an anchor into a file that is not Markdown)");
          } else if (!anchors.computeIfAbsent(resolved, DocsLinksTest::anchors).contains(anchor)) {
            broken.add(where + " (no heading with that anchor)");
          }
        }
      }
    }
    assertEquals(List.of(), broken, "broken links");
  }

  @Test
  @DisplayName("the GitHub anchors of headings: lower case, punctuation dropped, spaces to hyphens, repeats numbered")
  void anchorsOfHeadings() throws IOException {
    Path file = Files.createTempFile("anchors", ".md");
    try {
      Files.writeString(file, "# The `echo` protocol\n```\n# not a heading\n```\n## Memory: 2.9 KB (5.0)\n## Same\n## Same\n");
      assertEquals(Set.of("the-echo-protocol", "memory-29-kb-50", "same", "same-1"), anchors(file));
    } finally {
      Files.delete(file);
    }
  }

  @Test
  @DisplayName("no file cites the protocol notes the project started from, which the repository does not hold")
  void noCitationOfFilesOutsideTheRepository() throws IOException {
    // Spelled in pieces so that this file does not cite them either.
    List<String> outside = List.of("PROTOCOL" + ".md", "../" + "shared/");
    List<String> citing = new ArrayList<>();
    for (Path path : repositoryFiles()) {
      String name = path.getFileName().toString();
      if (!name.matches(".*\\.(java|md|py|sh|c|xml|json|yml|yaml|js|html|css|cfg|txt|properties|Dockerfile)")
        && !name.equals("Dockerfile")) {
        continue;
      }
      String text = Files.readString(path);
      for (String cited : outside) {
        if (text.contains(cited)) {
          citing.add(ROOT.relativize(path) + " cites " + cited);
        }
      }
    }
    assertEquals(List.of(), citing);
  }

  @Test
  @DisplayName("every test the docs name (`SomeTest.method`) is a test method of that class")
  void citedTestsExist() throws IOException {
    Pattern cited = Pattern.compile("`([A-Z][A-Za-z0-9]*(?:Test|IT))\\.([a-z][A-Za-z0-9]*)`");
    Map<String, Path> testClasses = new HashMap<>();
    for (Path path : repositoryFiles()) {
      String name = path.getFileName().toString();
      if (path.startsWith(ROOT.resolve(Path.of("src", "test", "java"))) && name.endsWith(".java")) {
        testClasses.put(name.substring(0, name.length() - ".java".length()), path);
      }
    }
    List<String> missing = new ArrayList<>();
    int count = 0;
    for (Path file : markdownFiles()) {
      Matcher matcher = cited.matcher(Files.readString(file));
      while (matcher.find()) {
        count++;
        Path testClass = testClasses.get(matcher.group(1));
        if (testClass == null || !Pattern.compile("\\bvoid " + matcher.group(2) + "\\(").matcher(Files.readString(testClass)).find()) {
          missing.add(ROOT.relativize(file) + ": " + matcher.group(1) + "." + matcher.group(2));
        }
      }
    }
    assertTrue(count > 0, "docs/protocol.md names the tests that cover its rules");
    assertEquals(List.of(), missing, "tests named in the docs that do not exist");
  }

  private record Link(int line, String target) {}

  /** The files of the working tree, without target/, node_modules/ and hidden folders (.git, .ci, ...). */
  private static List<Path> repositoryFiles() {
    List<Path> files = new ArrayList<>();
    try {
      Files.walkFileTree(ROOT, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
          String name = dir.equals(ROOT) ? "" : dir.getFileName().toString();
          return name.startsWith(".") || name.equals("target") || name.equals("node_modules")
            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
          if (attributes.isRegularFile()) {
            files.add(file);
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    files.sort(null);
    return files;
  }

  private static List<Path> markdownFiles() {
    return repositoryFiles().stream().filter(path -> path.toString().endsWith(".md")).toList();
  }

  /** The links of a Markdown file outside fenced code blocks and code spans. */
  private static List<Link> links(Path file) {
    List<Link> links = new ArrayList<>();
    List<String> lines = readLines(file);
    boolean fenced = false;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.stripLeading().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (fenced) {
        continue;
      }
      String text = CODE_SPAN.matcher(line).replaceAll("");
      Matcher inline = INLINE_LINK.matcher(text);
      while (inline.find()) {
        links.add(new Link(i + 1, inline.group(1)));
      }
      Matcher reference = REFERENCE_LINK.matcher(text);
      if (reference.matches()) {
        links.add(new Link(i + 1, reference.group(1)));
      }
    }
    return links;
  }

  /** The anchors GitHub gives the headings of a Markdown file. */
  private static Set<String> anchors(Path file) {
    Set<String> anchors = new HashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean fenced = false;
    for (String line : readLines(file)) {
      if (line.stripLeading().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      Matcher heading = HEADING.matcher(line);
      if (fenced || !heading.matches()) {
        continue;
      }
      String slug = heading.group(1).toLowerCase(Locale.ROOT)
        .replaceAll("[^\\p{L}\\p{N} _-]", "")
        .replace(' ', '-');
      int count = seen.merge(slug, 1, Integer::sum);
      anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
    }
    return anchors;
  }

  private static List<String> readLines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
