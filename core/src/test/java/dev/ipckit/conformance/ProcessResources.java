package dev.ipckit.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * What this process holds, from /proc/self: open descriptors, memory mappings and threads, in total and those
 * that match a test's own files, so that a test can open and close many channels and check that nothing was left
 * behind. The totals move a little by themselves (the JVM maps and starts things lazily); the counts of the
 * test's own files must come back exactly.
 *
 * @param descriptors entries of /proc/self/fd.
 * @param ownDescriptors of those, the ones whose target the test's filter accepts.
 * @param mappings lines of /proc/self/maps.
 * @param ownMappings of those, the ones whose path the test's filter accepts.
 * @param tasks entries of /proc/self/task: every thread of the process, the JVM's own included.
 * @param javaThreads live threads as the JVM counts them.
 * @param ipckitThreads live threads whose name starts with {@code ipckit}.
 */
public record ProcessResources(int descriptors, int ownDescriptors, int mappings, int ownMappings, int tasks,
                               int javaThreads, int ipckitThreads) {

    /**
     * Takes a snapshot.
     *
     * @param own accepts the descriptor targets (from readlink) and mapping paths that belong to the test.
     * @return the snapshot.
     */
    public static ProcessResources take(final Predicate<String> own) {
        int descriptors = 0;
        int ownDescriptors = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (final Path fd : fds.toList()) {
                descriptors++;
                try {
                    if (own.test(Files.readSymbolicLink(fd).toString())) {
                        ownDescriptors++;
                    }
                } catch (final IOException gone) {
                    descriptors--; // the descriptor that listed the directory, closed meanwhile
                }
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        final List<String> maps = lines(Path.of("/proc/self/maps"));
        final int ownMappings = (int) maps.stream().filter(line -> {
            final int slash = line.indexOf('/');
            return slash >= 0 && own.test(line.substring(slash).replace(" (deleted)", ""));
        }).count();
        final int tasks;
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/task"))) {
            tasks = (int) entries.count();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        final int ipckitThreads = (int) Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("ipckit")).count();
        return new ProcessResources(descriptors, ownDescriptors, maps.size(), ownMappings, tasks,
            ManagementFactory.getThreadMXBean().getThreadCount(), ipckitThreads);
    }

    private static List<String> lines(final Path file) {
        try {
            return Files.readAllLines(file);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Fails unless {@code after} holds no more of the test's descriptors, mappings and ipckit threads than this
     * snapshot, and its totals grew by at most {@code slack} (far less than one per channel opened).
     *
     * @param after the snapshot taken after the channels were closed.
     * @param what what was opened and closed, for the message.
     * @param slack how much the totals may move by themselves.
     */
    public void assertNothingLeftIn(final ProcessResources after, final String what, final int slack) {
        final String both = what + ": before " + this + ", after " + after;
        if (after.ownDescriptors > ownDescriptors || after.ownMappings > ownMappings
            || after.ipckitThreads > ipckitThreads) {
            throw new AssertionError("descriptors, mappings or threads of the channels were left behind by " + both);
        }
        if (after.descriptors - descriptors > slack || after.mappings - mappings > slack
            || after.tasks - tasks > slack || after.javaThreads - javaThreads > slack) {
            throw new AssertionError("the process holds more than " + slack + " more descriptors, mappings or "
                + "threads than before " + both);
        }
    }

    /**
     * @param after the snapshot after.
     * @return e.g. {@code fds 41->41, own 0->0; maps 612->614, own 0->0; threads 19->19 (tasks 35->35)}.
     */
    public String change(final ProcessResources after) {
        return "fds " + descriptors + "->" + after.descriptors + " (the channels' " + ownDescriptors + "->"
            + after.ownDescriptors + "), mappings " + mappings + "->" + after.mappings + " (the channels' "
            + ownMappings + "->" + after.ownMappings + "), threads " + javaThreads + "->" + after.javaThreads
            + " (tasks " + tasks + "->" + after.tasks + ", ipckit " + ipckitThreads + "->" + after.ipckitThreads + ")";
    }
}
