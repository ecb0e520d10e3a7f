package io.vertxecho.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.vertxecho.events.Events;
import io.vertxecho.text.Plural;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per member that joins the cluster, in place of Hazelcast's own multi-line output (its loggers are kept
 * at ERROR). The node's own join is logged by the launcher; a member's departure by the stats verticle, which knows
 * whether it said goodbye (left) or went silent (lost).
 */
public final class MembershipLog implements MembershipListener {

  private static final Logger log = LoggerFactory.getLogger(MembershipLog.class);

  @Override
  public void memberAdded(MembershipEvent event) {
    if (event.getMember().localMember()) {
      return;
    }
    log.info("Cluster member joined: {} ({})", describe(event.getMember()), Plural.of(event.getMembers().size(), "member"));
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    // logged by the stats verticle, as left or lost
  }

  private static String describe(Member member) {
    return Events.hostPort(member.getAddress().getHost(), member.getAddress().getPort());
  }
}
