import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.FieldRefEntry;
import java.lang.classfile.constantpool.MemberRefEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Does every class, method and field that the given jars use from the given packages exist on a classpath?
 * Run by link-check.sh (needs Java 24 or later for java.lang.classfile).
 * <p>Arguments: package prefixes (comma-separated), jars to check (comma-separated), classpath (colon-separated).
 * Prints each reference that does not resolve and exits 1 if there is one. A class of a package that no jar on the
 * classpath has (an optional module that is not shipped, like Netty's io_uring or vertx-auth-jwt), or one that fails
 * to load because an optional dependency of it is absent, is reported apart ("optional") and does not count.
 */
public final class LinkCheck {

  public static void main(String[] args) throws Exception {
    String[] prefixes = args[0].split(",");
    List<URL> urls = new ArrayList<>();
    Set<String> packages = new HashSet<>();
    for (String entry : args[2].split(":")) {
      urls.add(Path.of(entry).toUri().toURL());
      if (entry.endsWith(".jar")) {
        try (JarFile file = new JarFile(entry)) {
          file.stream().map(JarEntry::getName).filter(name -> name.endsWith(".class"))
            .forEach(name -> packages.add(name.substring(0, Math.max(0, name.lastIndexOf('/')))));
        }
      }
    }
    ClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    Set<String> missing = new TreeSet<>();
    Set<String> optional = new TreeSet<>();
    int references = 0;
    for (String jar : args[1].split(",")) {
      try (JarFile file = new JarFile(jar)) {
        for (JarEntry entry : Collections.list(file.entries())) {
          String name = entry.getName();
          if (!name.endsWith(".class") || name.endsWith("module-info.class") || name.startsWith("META-INF/")) {
            continue;
          }
          ClassModel model = ClassFile.of().parse(file.getInputStream(entry).readAllBytes());
          String from = Path.of(jar).getFileName() + " " + model.thisClass().asInternalName();
          for (PoolEntry pool : model.constantPool()) {
            String owner;
            String member = null;
            String descriptor = null;
            if (pool instanceof MemberRefEntry ref) {
              owner = ref.owner().asInternalName();
              member = ref.nameAndType().name().stringValue();
              descriptor = ref.nameAndType().type().stringValue();
            } else if (pool instanceof ClassEntry ref) {
              owner = ref.asInternalName();
            } else {
              continue;
            }
            String className = owner.replace('/', '.');
            if (owner.startsWith("[") || Arrays.stream(prefixes).noneMatch(className::startsWith)) {
              continue;
            }
            references++;
            Class<?> type;
            try {
              type = Class.forName(className, false, loader);
            } catch (ClassNotFoundException e) {
              String packagePath = owner.substring(0, Math.max(0, owner.lastIndexOf('/')));
              (packages.contains(packagePath) ? missing : optional).add("class " + className + " (from " + from + ")");
              continue;
            } catch (LinkageError e) {
              optional.add(className + ": " + e);
              continue;
            }
            if (member == null) {
              continue;
            }
            try {
              if (!resolves(type, member, descriptor, pool instanceof FieldRefEntry)) {
                missing.add((pool instanceof FieldRefEntry ? "field " : "method ") + className + "." + member + descriptor
                  + " (from " + from + ")");
              }
            } catch (LinkageError e) {
              optional.add(className + "." + member + ": " + e);
            }
          }
        }
      }
    }
    optional.forEach(line -> System.out.println("optional: " + line));
    missing.forEach(line -> System.out.println("MISSING: " + line));
    System.out.println(references + " references checked, " + missing.size() + " missing, " + optional.size()
      + " to optional modules that are not on the classpath");
    System.exit(missing.isEmpty() ? 0 : 1);
  }

  /** Looks the member up as the JVM would: in the class, its superclasses and its interfaces. */
  private static boolean resolves(Class<?> type, String name, String descriptor, boolean field) {
    Deque<Class<?>> todo = new ArrayDeque<>(List.of(type));
    Set<Class<?>> seen = new HashSet<>();
    while (!todo.isEmpty()) {
      Class<?> current = todo.poll();
      if (!seen.add(current)) {
        continue;
      }
      if (field) {
        for (Field candidate : current.getDeclaredFields()) {
          if (candidate.getName().equals(name) && candidate.getType().descriptorString().equals(descriptor)) {
            return true;
          }
        }
      } else if (name.equals("<init>")) {
        for (Constructor<?> candidate : current.getDeclaredConstructors()) {
          if (MethodType.methodType(void.class, candidate.getParameterTypes()).descriptorString().equals(descriptor)) {
            return true;
          }
        }
        return false;
      } else {
        for (Method candidate : current.getDeclaredMethods()) {
          if (candidate.getName().equals(name)
            && MethodType.methodType(candidate.getReturnType(), candidate.getParameterTypes()).descriptorString().equals(descriptor)) {
            return true;
          }
        }
      }
      if (current.getSuperclass() != null) {
        todo.add(current.getSuperclass());
      }
      todo.addAll(Arrays.asList(current.getInterfaces()));
      if (current.isInterface()) {
        todo.add(Object.class);
      }
    }
    return false;
  }
}
