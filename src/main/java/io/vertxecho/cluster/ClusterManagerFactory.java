package io.vertxecho.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.config.ListenerConfig;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertxecho.config.ConfigException;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds the Hazelcast config a node's member starts with: {@code cluster/cluster.xml} (packaged as
 * {@code cluster.xml}; {@code -Dvertx.hazelcast.config} replaces it) with the member list, cluster name, address and
 * port from the echo config.
 */
public final class ClusterManagerFactory {

  /** The system property that names a Hazelcast XML config in place of the packaged cluster.xml (vertx-hazelcast's). */
  public static final String CONFIG_PROPERTY = "vertx.hazelcast.config";
  /** Hazelcast's property for the one address a member binds to and advertises, taken as given. */
  private static final String LOCAL_ADDRESS_PROPERTY = "hazelcast.local.localAddress";
  private static final String BIND_ANY_PROPERTY = "hazelcast.socket.bind.any";

  private ClusterManagerFactory() {
  }

  /**
   * A file named by {@code -Dvertx.hazelcast.config} must be there, and be XML: vertx-hazelcast would log a warning and
   * join with the packaged cluster.xml instead, and Hazelcast would print a malformed file's error on stderr, in two
   * formats, before failing. {@code classpath:} names are left to it.
   */
  public static void checkNamedConfig(String named) {
    if (named == null || named.startsWith("classpath:")) {
      return;
    }
    String invalid = "Invalid configuration: -D" + CONFIG_PROPERTY + "=" + named + ": ";
    if (!Files.isRegularFile(Path.of(named)) || !Files.isReadable(Path.of(named))) {
      throw new ConfigException(invalid + "no such readable file (without it the node would join with the packaged cluster.xml)");
    }
    try {
      DocumentBuilder parser = DocumentBuilderFactory.newInstance().newDocumentBuilder();
      parser.setErrorHandler(new DefaultHandler());  // throws on a fatal error, prints nothing
      parser.parse(Path.of(named).toFile());
    } catch (SAXParseException e) {
      throw new ConfigException(invalid + "not XML: line " + e.getLineNumber() + ", column " + e.getColumnNumber() + ": "
        + e.getMessage());
    } catch (SAXException | IOException | ParserConfigurationException e) {
      throw new ConfigException(invalid + "not XML: " + e.getMessage());
    }
  }

  /**
   * Hazelcast binds to and advertises {@code address} (exact: that address, even one no interface holds, such as a
   * loopback alias; a pattern such as {@code 10.0.*.*}: the interface address that matches), on {@code port} only
   * when one is given (0: a free one). Empty and -1 keep the XML's.
   */
  public static Config bindTo(Config hazelcast, String address, int port) {
    if (isExact(address)) {
      hazelcast.setProperty(LOCAL_ADDRESS_PROPERTY, address);
      hazelcast.setProperty(BIND_ANY_PROPERTY, "false");
    } else if (!address.isEmpty()) {
      hazelcast.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(address);
      hazelcast.setProperty(BIND_ANY_PROPERTY, "false");
    }
    if (port >= 0) {
      hazelcast.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
    }
    return hazelcast;
  }

  /** An address, not a pattern: no {@code *} and no range. */
  static boolean isExact(String address) {
    return !address.isEmpty() && !address.contains("*") && !address.contains("-");
  }

  /** The Hazelcast config; an empty member list or cluster name keeps the XML's. */
  public static Config hazelcastConfig(List<String> members, String clusterName) {
    String named = System.getProperty(CONFIG_PROPERTY);
    checkNamedConfig(named);
    Config hazelcast;
    try {
      hazelcast = ConfigUtil.loadConfig();
    } catch (InvalidConfigurationException | IllegalArgumentException e) {
      throw new ConfigException("Invalid configuration: Hazelcast config " + (named == null ? "cluster.xml" : named) + ": "
        + e.getMessage());
    }
    if (!members.isEmpty()) {
      hazelcast.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).setMembers(members);
    }
    if (!clusterName.isEmpty()) {
      hazelcast.setClusterName(clusterName);
    }
    return hazelcast.addListenerConfig(new ListenerConfig(new MembershipLog()));
  }
}
