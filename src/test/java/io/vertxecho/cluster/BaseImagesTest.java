package io.vertxecho.cluster;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * How the compose test gets its base images, against this machine's Docker engine: an image that cannot be pulled
 * stands for the official ones out of reach, and small scripts for cluster/offline-images.sh, so no image is removed.
 */
@DisplayName("The compose test's base images")
class BaseImagesTest {

  /** No registry serves it: pulling it fails wherever the test runs. */
  private static final List<String> UNPULLABLE = List.of("vertx-echo-it/never-published:1");

  @TempDir
  Path baseDir;

  @BeforeEach
  void needsDocker() {
    String noDocker = ComposeProject.whyNoDocker();
    assumeTrue(noDocker == null, noDocker);
  }

  @Test
  @DisplayName("official images out of reach: the local images the maker writes are used")
  void madeLocally() throws IOException {
    Path script = script("printf 'JAVA_BASE_IMAGE=local/jre:17\\nHAPROXY_IMAGE=local/haproxy:1\\n' >\"$ENV_FILE\"");

    BaseImages.Choice choice = BaseImages.choose(baseDir, UNPULLABLE, script, baseDir.resolve("images.env"));

    assertEquals(Map.of("JAVA_BASE_IMAGE", "local/jre:17", "HAPROXY_IMAGE", "local/haproxy:1"), choice.env());
    assertNull(choice.unavailable());
  }

  @Test
  @DisplayName("official images out of reach and none made: the reason names the image and the maker's last word")
  void noneToBeHad() throws IOException {
    Path script = script("echo 'debootstrap: command not found' >&2; exit 1");

    BaseImages.Choice choice = BaseImages.choose(baseDir, UNPULLABLE, script, baseDir.resolve("images.env"));

    assertNull(choice.env());
    assertTrue(choice.unavailable().startsWith("the Docker engine cannot pull vertx-echo-it/never-published:1 ("),
      choice.unavailable());
    assertTrue(choice.unavailable().endsWith(", and make-images.sh could not make local base images "
      + "(debootstrap: command not found)"), choice.unavailable());
  }

  @Test
  @DisplayName("official images already here: used as they are, nothing made")
  void presentImagesUsed() throws IOException {
    String present = ComposeProject.run(List.of("docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}"), Map.of(), null, 30)
      .output().lines().filter(image -> !image.contains("<none>")).findFirst().orElse(null);
    assumeTrue(present != null, "no image on this Docker engine");

    BaseImages.Choice choice = BaseImages.choose(baseDir, List.of(present), script("exit 1"), baseDir.resolve("images.env"));

    assertEquals(Map.of(), choice.env());
    assertNull(choice.unavailable());
  }

  @Test
  @DisplayName("base images named in .env: left to docker-compose, which reads it")
  void namedInDotEnv() throws IOException {
    Files.writeString(baseDir.resolve(".env"), "JAVA_BASE_IMAGE=local/jre:17\nHAPROXY_IMAGE=local/haproxy:1\n");

    BaseImages.Choice choice = BaseImages.choose(baseDir, UNPULLABLE, script("exit 1"), baseDir.resolve("images.env"));

    assertEquals(Map.of(), choice.env());
    assertNull(choice.unavailable());
  }

  private Path script(String body) throws IOException {
    return Files.writeString(baseDir.resolve("make-images.sh"), "#!/usr/bin/env bash\n" + body + "\n");
  }
}
