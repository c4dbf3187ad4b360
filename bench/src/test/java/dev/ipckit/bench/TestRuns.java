package dev.ipckit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * Shared helpers of the bench tests: tiny settings, and what a run may leave behind.
 */
final class TestRuns {
    private TestRuns() {
    }

    /**
     * @param samples timed round trips per row.
     * @return settings with a short warm-up, two segments and generous limits, so that rows end by count, not by
     *     time.
     */
    static BenchSettings tiny(final int samples) {
        return new BenchSettings(200, Duration.ZERO, Duration.ofSeconds(30), samples, Duration.ofSeconds(60),
            BenchSettings.MESSAGE_LENGTH, 2);
    }

    /**
     * @return the files in /dev/shm named after this process's bench runs.
     */
    static List<Path> shmLeftovers() throws IOException {
        final String mine = "ipckit-bench-" + ProcessHandle.current().pid() + "-";
        try (Stream<Path> files = Files.list(Path.of("/dev/shm"))) {
            return files.filter(file -> file.getFileName().toString().startsWith(mine)).toList();
        }
    }

    /**
     * @return this JVM's live child processes.
     */
    static List<ProcessHandle> liveChildren() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList();
    }

    /**
     * @param lines the CSV's lines.
     * @param name a row name.
     * @return that row's fields.
     */
    static String[] csvRow(final List<String> lines, final String name) {
        return lines.stream().filter(line -> line.startsWith(name + ",")).findFirst()
            .orElseThrow(() -> new AssertionError("no CSV line for " + name + " in " + lines))
            .split(",", -1);
    }
}
