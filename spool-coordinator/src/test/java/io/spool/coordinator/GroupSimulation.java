package io.spool.coordinator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * A seeded simulation: classic clients (some static) in group "classic" and KIP-848 clients in group "consumer"
 * join, sync, heartbeat, commit, leave, crash and restart, while time advances and the log sometimes holds or
 * fails appends. Everything is driven by one {@link Random}, so a seed replays exactly.
 */
final class GroupSimulation {

    final Harness harness;
    final GroupCoordinator coordinator;
    final InMemoryRecordLog log;
    final Random random;
    final List<ClassicClient> classic = new ArrayList<>();
    final List<ConsumerClient> consumers = new ArrayList<>();
    /** (group, partition) to the last acknowledged committed offset */
    final Map<Map.Entry<String, Object>, Long> acknowledged = new HashMap<>();
    private long nextOffset = 1;
    /** progress counters, so that a run that never formed a group cannot pass unnoticed */
    int classicSyncs;
    int consumerAssignments;

    GroupSimulation(long seed) {
        GroupCoordinatorConfig config = GroupCoordinatorConfig.defaults().withOffsetsTopicPartitions(1)
            .withInitialRebalanceDelayMs(500).withConsumerSessionTimeoutMs(10_000);
        this.harness = new Harness(config, seed);
        this.coordinator = harness.coordinator;
        this.log = harness.log;
        this.random = new Random(seed);
        for (int i = 0; i < 4; i++) {
            classic.add(new ClassicClient("k" + i, i % 2 == 0 ? "static-" + i : null));
            consumers.add(new ConsumerClient("c" + i));
        }
    }

    void step() {
        int action = random.nextInt(100);
        if (action < 20) {
            log.hold = false;
            log.flush();
            harness.timer.advance(random.nextInt(3_000));
        } else if (action < 24) {
            log.hold = true;
        } else if (action < 26) {
            log.failPending(new NotLeaderOrFollowerException("simulated"));
        } else if (action < 63) {
            classic.get(random.nextInt(classic.size())).act();
        } else {
            consumers.get(random.nextInt(consumers.size())).act();
        }
    }

    private void commit(String group, String memberId, int generation, String instanceId, int partition) {
        long offset = nextOffset++;
        var req = new OffsetCommitRequestData().setGroupId(group).setMemberId(memberId)
            .setGenerationIdOrMemberEpoch(generation).setGroupInstanceId(instanceId)
            .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("foo")
                .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                    .setPartitionIndex(partition).setCommittedOffset(offset)))));
        CompletableFuture<OffsetCommitResponseData> f = coordinator.commitOffsets(req, (short) 9);
        f.thenAccept(r -> {
            if (r.topics().get(0).partitions().get(0).errorCode() == 0) {
                acknowledged.put(Map.entry(group, new TopicPartition("foo", partition)), offset);
            }
        });
    }

    /** A classic consumer as the Java client behaves: join, sync, heartbeat, rejoin on errors. */
    final class ClassicClient {
        final String clientId;
        final String instanceId;
        String memberId = "";
        int generation;
        String leader;
        boolean alive = true;
        boolean stable;
        CompletableFuture<JoinGroupResponseData> join;
        CompletableFuture<SyncGroupResponseData> sync;
        CompletableFuture<HeartbeatResponseData> heartbeat;

        ClassicClient(String clientId, String instanceId) {
            this.clientId = clientId;
            this.instanceId = instanceId;
        }

        void act() {
            if (!alive) {
                if (random.nextInt(4) == 0) {
                    alive = true; // restarted: a static member keeps its instance id, nothing else
                    reset(true);
                }
                return;
            }
            int r = random.nextInt(100);
            if (r < 2) {
                alive = false;
                reset(true);
                return;
            }
            if (r < 3 && stable) {
                var leave = new LeaveGroupRequestData().setGroupId("classic").setMembers(List.of(
                    new LeaveGroupRequestData.MemberIdentity().setMemberId(memberId).setGroupInstanceId(instanceId)));
                coordinator.leaveGroup(leave, (short) 5, clientId, "h");
                reset(true);
                return;
            }
            if (join != null) {
                onJoin();
            } else if (sync != null) {
                onSync();
            } else if (heartbeat != null && heartbeat.isDone()) {
                Errors e = Errors.forCode(heartbeat.join().errorCode());
                heartbeat = null;
                if (e != Errors.NONE) {
                    reset(e != Errors.REBALANCE_IN_PROGRESS);
                }
            } else if (stable && heartbeat == null) {
                heartbeat = coordinator.heartbeat(new HeartbeatRequestData().setGroupId("classic")
                    .setMemberId(memberId).setGroupInstanceId(instanceId).setGenerationId(generation), (short) 4,
                    clientId, "h");
                if (random.nextBoolean()) {
                    commit("classic", memberId, generation, instanceId, random.nextInt(6));
                }
            } else if (!stable && heartbeat == null) {
                JoinGroupRequestData req = ClassicGroupTest.joinRequest(memberId, instanceId, "range")
                    .setGroupId("classic");
                join = coordinator.joinGroup(req, (short) 9, clientId, "h");
            }
        }

        private void onJoin() {
            if (!join.isDone()) {
                return;
            }
            JoinGroupResponseData r = join.join();
            join = null;
            Errors e = Errors.forCode(r.errorCode());
            if (e == Errors.MEMBER_ID_REQUIRED) {
                memberId = r.memberId();
                return;
            }
            if (e != Errors.NONE) {
                reset(e == Errors.UNKNOWN_MEMBER_ID || e == Errors.FENCED_INSTANCE_ID);
                return;
            }
            memberId = r.memberId();
            generation = r.generationId();
            leader = r.leader();
            List<SyncGroupRequestData.SyncGroupRequestAssignment> assignments = new ArrayList<>();
            if (memberId.equals(r.leader()) && !r.skipAssignment()) {
                for (int i = 0; i < r.members().size(); i++) {
                    assignments.add(new SyncGroupRequestData.SyncGroupRequestAssignment()
                        .setMemberId(r.members().get(i).memberId()).setAssignment(new byte[] {(byte) i}));
                }
            }
            sync = coordinator.syncGroup(new SyncGroupRequestData().setGroupId("classic").setMemberId(memberId)
                .setGroupInstanceId(instanceId).setGenerationId(generation).setAssignments(assignments), (short) 5,
                clientId, "h");
        }

        private void onSync() {
            if (!sync.isDone()) {
                return;
            }
            Errors e = Errors.forCode(sync.join().errorCode());
            sync = null;
            if (e == Errors.NONE) {
                stable = true;
                classicSyncs++;
            } else {
                reset(e == Errors.UNKNOWN_MEMBER_ID || e == Errors.FENCED_INSTANCE_ID);
            }
        }

        private void reset(boolean forgetMemberId) {
            stable = false;
            leader = null;
            join = null;
            sync = null;
            heartbeat = null;
            if (forgetMemberId) {
                memberId = "";
            }
        }

        @Override
        public String toString() {
            return clientId + "(" + memberId + ")";
        }
    }

    /** A KIP-848 consumer: revokes as soon as it is told, reports what it owns, rejoins when fenced. */
    final class ConsumerClient {
        final String memberId;
        int epoch;
        boolean alive = true;
        Assignment owned = Assignment.empty();
        CompletableFuture<ConsumerGroupHeartbeatResponseData> inFlight;
        long sentAt;
        /** when the request of the last successful heartbeat was sent: the member's lease runs from there */
        long leaseStart;

        ConsumerClient(String memberId) {
            this.memberId = memberId;
        }

        void act() {
            if (!alive) {
                if (random.nextInt(4) == 0) {
                    alive = true;
                    epoch = 0;
                }
                return;
            }
            if (inFlight != null) {
                if (inFlight.isDone()) {
                    onResponse(inFlight.join());
                    inFlight = null;
                }
                return;
            }
            int r = random.nextInt(100);
            if (r < 2) {
                alive = false; // the process dies: what it owned goes with it
                owned = Assignment.empty();
                inFlight = null;
                return;
            }
            ConsumerGroupHeartbeatRequestData req;
            if (epoch == 0) {
                req = ConsumerGroupTest.joinRequest(memberId, "foo", "bar").setGroupId("consumer")
                    .setServerAssignor(random.nextBoolean() ? "uniform" : null);
            } else if (r < 4) {
                req = new ConsumerGroupHeartbeatRequestData().setGroupId("consumer").setMemberId(memberId)
                    .setMemberEpoch(-1);
                owned = Assignment.empty();
                epoch = 0;
                coordinator.consumerGroupHeartbeat(req, (short) 1, memberId, "h");
                return;
            } else {
                req = ConsumerGroupTest.owning(memberId, epoch, owned).setGroupId("consumer");
                if (r < 30) {
                    commit("consumer", memberId, epoch, null, random.nextInt(6));
                }
            }
            sentAt = harness.clock.millis();
            inFlight = coordinator.consumerGroupHeartbeat(req, (short) 1, memberId, "h");
        }

        /** A member that has not heard from the coordinator for a session may have been fenced (a zombie). */
        boolean holdsLease() {
            return alive && harness.clock.millis() - leaseStart < harness.config.consumerSessionTimeoutMs();
        }

        private void onResponse(ConsumerGroupHeartbeatResponseData r) {
            Errors e = Errors.forCode(r.errorCode());
            if (e == Errors.FENCED_MEMBER_EPOCH || e == Errors.UNKNOWN_MEMBER_ID) {
                owned = Assignment.empty();
                epoch = 0;
            } else if (e == Errors.NONE) {
                leaseStart = sentAt;
                epoch = r.memberEpoch();
                if (r.assignment() != null) {
                    owned = ConsumerGroupTest.of(r);
                    consumerAssignments += owned.isEmpty() ? 0 : 1;
                }
            }
        }
    }
}
