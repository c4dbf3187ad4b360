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
