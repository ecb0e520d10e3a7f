package io.vertxecho.cluster;

import io.vertxecho.cluster.ComposeProject.Result;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The base images the compose cluster builds on, chosen as {@code .ci/run} chooses them: those {@code .env} names;
 * else the official ones, present or pulled; else local stand-ins that {@code cluster/offline-images.sh} makes from
 * Debian packages. When none can be had, the reason: the compose test is then skipped saying so, never failed for
 * want of a registry.
 */
final class BaseImages {

  /** What docker-compose.yml builds and runs on unless told otherwise. */
  static final List<String> OFFICIAL = List.of("eclipse-temurin:17-jre", "haproxy:2.8");
  private static final int PULL_SECONDS = 60;
  private static final int MAKE_SECONDS = 900;

  /** The variables for docker-compose (none: the official images or {@code .env}), or why there are no images. */
  record Choice(Map<String, String> env, String unavailable) {
  }

  private BaseImages() {
  }

  /**
   * @param baseDir  the repository, where docker-compose reads {@code .env}
   * @param official the images to use when they are here or can be pulled
   * @param script   what makes the local images and writes their variables to the file named by {@code ENV_FILE}
   * @param envFile  that file
   */
  static Choice choose(Path baseDir, List<String> official, Path script, Path envFile) {
    if (namedIn(baseDir.resolve(".env"))) {
      return new Choice(Map.of(), null);
    }
    String cannotPull = null;
    for (String image : official) {
      if (docker(List.of("image", "inspect", image), 30).code() != 0) {
        Result pull = docker(List.of("pull", "-q", image), PULL_SECONDS);
        if (pull.code() != 0) {
          cannotPull = "the Docker engine cannot pull " + image + " (" + lastLine(pull) + ")";
          break;
        }
      }
    }
    if (cannotPull == null) {
      return new Choice(Map.of(), null);
    }
    Result made = run(List.of("bash", script.toString()), Map.of("ENV_FILE", envFile.toString()), MAKE_SECONDS);
    if (made.code() != 0) {
      Path shown = script.startsWith(baseDir) ? baseDir.relativize(script) : script;
      return new Choice(null, cannotPull + ", and " + shown + " could not make local base images (" + lastLine(made) + ")");
    }
    return new Choice(variables(envFile), null);
  }

  private static boolean namedIn(Path envFile) {
    return Files.isRegularFile(envFile) && variables(envFile).containsKey("JAVA_BASE_IMAGE");
  }

  private static Map<String, String> variables(Path envFile) {
    try {
      Map<String, String> variables = new LinkedHashMap<>();
      Files.readAllLines(envFile).stream().filter(line -> line.contains("=") && !line.startsWith("#"))
        .forEach(line -> variables.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1)));
      return variables;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Result docker(List<String> args, int timeoutSeconds) {
    return run(Stream.concat(Stream.of("docker"), args.stream()).toList(), Map.of(), timeoutSeconds);
  }

  private static Result run(List<String> command, Map<String, String> env, int timeoutSeconds) {
    try {
      return ComposeProject.run(command, env, null, timeoutSeconds);
    } catch (IOException e) {
      return new Result(-1, e.getMessage());
    }
  }

  private static String lastLine(Result result) {
    return result.output().strip().lines().reduce((first, second) -> second).orElse("exit " + result.code());
  }
}
