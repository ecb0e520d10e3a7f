package io.vertxecho.cluster;

import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import io.vertxecho.events.Events;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per cluster membership change, in place of Hazelcast's own multi-line and warning output (its loggers
 * are kept at ERROR): each member that joins, and each member that leaves or dies. The node's own join is logged by
 * the launcher.
 */
public final class MembershipLog implements MembershipListener {

  private static final Logger log = LoggerFactory.getLogger(MembershipLog.class);

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
    return Events.hostPort(member.getAddress().getHost(), member.getAddress().getPort());
  }
}
