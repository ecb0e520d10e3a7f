import com.sun.tools.attach.VirtualMachine;

/**
 * Loads a native agent into a running JVM with the options as one string (jcmd's JVMTI.agent_load would parse the
 * key=value pairs of async-profiler's options as its own): java src/bench/AttachAgent.java PID LIBRARY OPTIONS.
 * Used by src/bench/profile.sh to start and stop async-profiler around a measured run.
 */
public class AttachAgent {
  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: java AttachAgent.java PID LIBRARY OPTIONS");
      System.exit(2);
    }
    VirtualMachine vm = VirtualMachine.attach(args[0]);
    try {
      vm.loadAgentPath(args[1], args[2]);
    } finally {
      vm.detach();
    }
  }
}
