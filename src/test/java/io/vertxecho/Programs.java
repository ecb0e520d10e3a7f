package io.vertxecho;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** The programs outside the JVM some tests run (python3, node, mcs, cc ...), looked up as a shell would. */
public final class Programs {

  private Programs() {
  }

  /** Whether {@code program} is an executable file in a directory of the PATH. */
  public static boolean onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }
}
