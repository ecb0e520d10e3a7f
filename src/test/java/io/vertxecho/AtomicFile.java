package io.vertxecho;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Replaces a file whole. A node scanning its config file every 100 ms can read one written in place between the
 * truncation and the write, and refuses that empty file (an extra "refused" a test does not expect): tests change
 * a watched file by writing a sibling and renaming it over the file, which a reader sees entirely or not at all.
 */
public final class AtomicFile {

  private AtomicFile() {
  }

  public static Path write(Path file, String text) throws IOException {
    Path next = file.resolveSibling(file.getFileName() + ".next");
    Files.writeString(next, text);
    return Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
