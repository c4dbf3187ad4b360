package dev.ipckit.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The order of an interleaved run. The rows compared with one another form a group (a row, its references, their
 * references ...); a group runs in rounds, and each round gives every row of the group one short segment, in the
 * group's order: A B C, A B C, ... So a ratio is taken between two segments measured seconds apart, never between
 * two rows measured minutes apart on a host that has since moved its vCPUs.
 *
 * <p>The rounds are run in {@link #passes(int)} passes: every group runs the first pass's rounds, then every group
 * the second's (its rows opened and warmed up again), so that each comparison's segments come from two moments
 * minutes apart. A host that moved its vCPUs in between shows as passes that disagree, which the bench reports as
 * unstable ({@link SegmentRatio}) instead of a ratio that the next run would not repeat.
 */
public final class Interleaving {
    private Interleaving() {
    }

    /**
     * One segment of the schedule.
     *
     * @param round the round, from 0.
     * @param row the row's name.
     */
    public record Slot(int round, String row) {
    }

    /**
     * @param group the rows of one group, in order.
     * @param rounds how many rounds.
     * @return the segments in the order they run: round 0's rows, then round 1's, ...
     */
    public static List<Slot> schedule(final List<String> group, final int rounds) {
        final List<Slot> slots = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            for (final String row : group) {
                slots.add(new Slot(round, row));
            }
        }
        return slots;
    }

    /**
     * @param rounds the rounds of a run.
     * @return how many passes they are run in: 2 from {@value #TWO_PASSES_FROM} rounds on, else 1.
     */
    public static int passes(final int rounds) {
        return rounds >= TWO_PASSES_FROM ? 2 : 1;
    }

    /** From this many rounds on, a run has two passes. */
    public static final int TWO_PASSES_FROM = 4;

    /**
     * @param rounds the rounds of a run.
     * @param passes its passes.
     * @param pass a pass, from 0.
     * @return the first round of {@code pass}; {@code firstRound(rounds, passes, passes)} is {@code rounds}.
     */
    public static int firstRound(final int rounds, final int passes, final int pass) {
        return (int) ((long) pass * rounds / passes);
    }

    /**
     * @param rounds the rounds of a run.
     * @param passes its passes.
     * @param round a round, from 0.
     * @return the pass that runs it.
     */
    public static int passOf(final int rounds, final int passes, final int round) {
        int pass = 0;
        while (pass + 1 < passes && round >= firstRound(rounds, passes, pass + 1)) {
            pass++;
        }
        return pass;
    }

    /**
     * @param group the rows of one group, in order.
     * @param rounds the rounds of the whole run.
     * @param passes its passes.
     * @param pass the pass to run, from 0.
     * @return the segments of that pass in the order they run, numbered by their round in the whole run.
     */
    public static List<Slot> schedule(final List<String> group, final int rounds, final int passes, final int pass) {
        final List<Slot> slots = new ArrayList<>();
        for (int round = firstRound(rounds, passes, pass); round < firstRound(rounds, passes, pass + 1); round++) {
            for (final String row : group) {
                slots.add(new Slot(round, row));
            }
        }
        return slots;
    }

    /**
     * Splits rows into groups: two rows are in one group when one names the other as a reference, directly or
     * through other rows. Groups come in the order of their first row; each group keeps the rows' order.
     *
     * @param rows the rows, in order.
     * @param references each row's references (names; those not among {@code rows} are ignored).
     * @return the groups, as lists of names.
     */
    public static List<List<String>> groups(final List<String> rows, final Function<String, List<String>> references) {
        final Map<String, Integer> group = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            group.put(rows.get(i), i);
        }
        boolean changed = true;
        while (changed) { // join each row with its references until nothing moves (a few passes at most)
            changed = false;
            for (final String row : rows) {
                for (final String reference : references.apply(row)) {
                    final Integer theirs = group.get(reference);
                    final int mine = group.get(row);
                    if (theirs != null && theirs != mine) {
                        final int low = Math.min(theirs, mine);
                        final int high = Math.max(theirs, mine);
                        group.replaceAll((name, id) -> id == high ? low : id);
                        changed = true;
                    }
                }
            }
        }
        final Map<Integer, List<String>> byId = new LinkedHashMap<>();
        for (final String row : rows) {
            byId.computeIfAbsent(group.get(row), id -> new ArrayList<>()).add(row);
        }
        final List<List<String>> groups = new ArrayList<>(byId.values());
        groups.sort(java.util.Comparator.comparingInt(g -> rows.indexOf(g.get(0))));
        return groups;
    }
}
