package io.spool.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The events of several {@link GroupMember}s merged into one timeline by their monotonic time stamps, and the
 * delivery guarantees a group gives, checked on it by replaying the commits in order. Immutable.
 */
final class GroupTimeline {
    /** A record a member processed. */
    record Processed(String member, long nanos, int partition, long offset, String value) {
    }

    /** A commit a member saw succeed: {@code offset} is the next offset to consume. */
    record Committed(String member, long nanos, int partition, long offset) {
    }

    /** A commit a member saw fail. */
    record Failure(String member, long nanos, String message) {
    }

    /** Partitions assigned ({@code A}), revoked ({@code V}) or lost ({@code L}) in a rebalance. */
    record AssignmentChange(String member, long nanos, String kind, String partitions) {
    }

    /** A record processed again although an earlier commit had covered it. */
    record Redelivery(Processed processed, Committed coveredBy) {
    }

    private final List<Processed> processed;
    private final List<Committed> commits;
    private final List<Failure> failures;
    private final Map<String, String> memberIds;
    private final List<AssignmentChange> assignmentChanges;

    private GroupTimeline(List<Processed> processed, List<Committed> commits, List<Failure> failures,
            Map<String, String> memberIds, List<AssignmentChange> assignmentChanges) {
        this.processed = processed;
        this.commits = commits;
        this.failures = failures;
        this.memberIds = memberIds;
        this.assignmentChanges = assignmentChanges;
    }

    /** Reads every member's event file, ignoring an unterminated last line (a member killed while writing). */
    static GroupTimeline read(List<MemberProcess> members) {
        List<Processed> processed = new ArrayList<>();
        List<Committed> commits = new ArrayList<>();
        List<Failure> failures = new ArrayList<>();
        Map<String, String> memberIds = new HashMap<>();
        List<AssignmentChange> changes = new ArrayList<>();
        for (MemberProcess member : members) {
            for (String line : completeLines(member)) {
                String[] f = line.split(" ", 5);
                long nanos = Long.parseLong(f[1]);
                switch (f[0]) {
                    case "R" -> processed.add(new Processed(member.name(), nanos, Integer.parseInt(f[2]),
                            Long.parseLong(f[3]), f[4]));
                    case "C" -> commits.add(new Committed(member.name(), nanos, Integer.parseInt(f[2]),
                            Long.parseLong(f[3])));
                    case "E" -> failures.add(new Failure(member.name(), nanos, f.length > 2 ? line.substring(
                            line.indexOf(' ', 2) + 1) : ""));
                    case "G" -> memberIds.put(member.name(), f[2]);
                    case "A", "V", "L" -> changes.add(new AssignmentChange(member.name(), nanos, f[0], f[2]));
                    default -> {
                        // P: a pause before a commit, for the reader of the file.
                    }
                }
            }
        }
        return new GroupTimeline(processed, commits, failures, memberIds, changes);
    }

    private static List<String> completeLines(MemberProcess member) {
        try {
            if (!Files.exists(member.events())) {
                return List.of();
            }
            String text = Files.readString(member.events(), StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            return end < 0 ? List.of() : text.substring(0, end).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<Processed> processed() {
        return processed;
    }

    List<Committed> commits() {
        return commits;
    }

    /** Commits that failed. */
    List<Failure> failures() {
        return failures;
    }

    /** The member id that {@code member} last reported, or null before its first assignment. */
    String memberId(String member) {
        return memberIds.get(member);
    }

    /** Every assignment change the members' rebalance listeners saw. */
    List<AssignmentChange> assignmentChanges() {
        return assignmentChanges;
    }

    /** The records {@code member} processed. */
    List<Processed> processedBy(String member) {
        return processed.stream().filter(p -> p.member().equals(member)).toList();
    }

    /**
     * Records processed at an offset that an earlier successful commit of their partition had already passed:
     * what "nothing committed is delivered again" forbids. A record processed twice because its first processor
     * died (or failed to commit) before committing it is at-least-once delivery and not listed.
     */
    List<Redelivery> redeliveriesAfterCommit() {
        List<Redelivery> found = new ArrayList<>();
        Map<Integer, Committed> latest = new HashMap<>();
        for (Object event : timeline()) {
            if (event instanceof Committed c) {
                Committed before = latest.get(c.partition());
                if (before == null || c.offset() > before.offset()) {
                    latest.put(c.partition(), c);
                }
            } else if (event instanceof Processed p) {
                Committed covering = latest.get(p.partition());
                if (covering != null && p.offset() < covering.offset()) {
                    found.add(new Redelivery(p, covering));
                }
            }
        }
        return found;
    }

    /** The highest offset of each partition committed before {@code nanos}. */
    Map<Integer, Long> committedBefore(long nanos) {
        Map<Integer, Long> committed = new HashMap<>();
        commits.stream().filter(c -> c.nanos() < nanos)
                .forEach(c -> committed.merge(c.partition(), c.offset(), Math::max));
        return committed;
    }

    /** The first record of each partition that one of {@code members} processed after {@code nanos}. */
    Map<Integer, Processed> firstProcessedAfter(long nanos, Set<String> members) {
        Map<Integer, Processed> first = new HashMap<>();
        processed.stream().filter(p -> p.nanos() > nanos && members.contains(p.member()))
                .sorted(Comparator.comparingLong(Processed::nanos))
                .forEach(p -> first.putIfAbsent(p.partition(), p));
        return first;
    }

    /** Commits of a partition lower than a commit of it before them: committed offsets must never move back. */
    List<Committed> commitsMovingBackwards() {
        List<Committed> found = new ArrayList<>();
        Map<Integer, Long> highest = new HashMap<>();
        for (Object event : timeline()) {
            if (event instanceof Committed c) {
                long before = highest.getOrDefault(c.partition(), Long.MIN_VALUE);
                if (c.offset() < before) {
                    found.add(c);
                }
                highest.put(c.partition(), Math.max(before, c.offset()));
            }
        }
        return found;
    }

    private List<Object> timeline() {
        List<Object> events = new ArrayList<>(processed);
        events.addAll(commits);
        // A stable sort: one member's events with equal stamps (a commit of several partitions) keep file order.
        events.sort(Comparator.comparingLong(GroupTimeline::nanos));
        return events;
    }

    private static long nanos(Object event) {
        return event instanceof Processed p ? p.nanos() : ((Committed) event).nanos();
    }
}
