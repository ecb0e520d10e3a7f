package io.vertxecho.cluster;

import com.hazelcast.cluster.InitialMembershipEvent;
import com.hazelcast.cluster.InitialMembershipListener;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per cluster membership change, in place of Hazelcast's own multi-line and warning output (its loggers
 * are kept at ERROR): the join, each member that joins, and each member that leaves or dies.
 */
public final class MembershipLog implements InitialMembershipListener {

  private static final Logger log = LoggerFactory.getLogger(MembershipLog.class);

  private final String clusterName;

  MembershipLog(String clusterName) {
    this.clusterName = clusterName;
  }

  @Override
  public void init(InitialMembershipEvent event) {
    log.info("Joined cluster {} as {} ({} members)", clusterName, describe(event.getCluster().getLocalMember()), event.getMembers().size());
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    if (event.getMember().localMember()) {
      return;
    }
    log.info("Cluster member joined: {} ({} members)", describe(event.getMember()), event.getMembers().size());
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    log.warn("Cluster member left or died: {} ({} members)", describe(event.getMember()), event.getMembers().size());
  }

  private static String describe(Member member) {
    return member.getAddress().getHost() + ":" + member.getAddress().getPort();
  }
}
