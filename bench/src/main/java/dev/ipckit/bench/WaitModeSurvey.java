package dev.ipckit.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import org.HdrHistogram.Histogram;

import dev.ipckit.Receiver;
import dev.ipckit.SegmentHandler;
import dev.ipckit.Sender;

/**
 * The figures the mmap ring's default wait mode is chosen by, for each wait mode with its default spins and yields,
 * between this process and an echo process ({@link EchoSession}, 32-byte messages, {@code capacity=64k}):
 *
 * <ul>
 *   <li><b>ping-pong</b>: p50 and p99 of back-to-back round trips (at most 50,000 or 1 s with {@code --quick},
 *       200,000 or 3 s without, after a warm-up of a quarter as many or half as long);</li>
 *   <li><b>wake-up</b>: p50 and max of a round trip sent after both sides sat idle for {@value #IDLE_GAP_MILLIS} ms
 *       (the echo process has gone through its spins and yields into its deepest wait);</li>
 *   <li><b>burst</b>: p50 of the time from the first of {@value #BURST} messages sent back to back after the same
 *       idle gap to the last echo;</li>
 *   <li><b>idle CPU</b>: the CPU time the echo process (every thread: JIT and GC included) uses while it waits
 *       {@value #IDLE_MILLIS} ms in timed polls with nothing to read, from {@code /proc/PID/task/TID/schedstat},
 *       in ms per second.</li>
 * </ul>
 *
 * The modes take turns, round after round, so that the machine moving under the run moves every mode alike; each
 * figure is the median over the rounds.
 *
 * <pre>
 * ipckit bench --table waitmodes [--quick] [--out DIR]      writes DIR/waitmodes.csv
 * </pre>
 */
public final class WaitModeSurvey {
    /** The wait modes surveyed, by their {@code wait=} names. */
    public static final List<String> MODES = List.of("spin", "yield", "backoff", "sleep", "futex", "signal");
    private static final int LENGTH = 32;
    private static final int IDLE_GAP_MILLIS = 20;
    private static final int BURST = 64;
    private static final int IDLE_MILLIS = 1_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final int rounds;
    private final int pingPongs;
    private final int wakeups;
    private final long pingPongNanos;
    private final MemorySegment message = Arena.ofAuto().allocate(LENGTH);
    private final SegmentHandler ignore = m -> { };

    private WaitModeSurvey(final boolean quick) {
        this.rounds = quick ? 3 : 5;
        this.pingPongs = quick ? 50_000 : 200_000;
        this.wakeups = quick ? 20 : 50;
        this.pingPongNanos = quick ? 1_000_000_000L : 3_000_000_000L;
    }

    /**
     * One mode's figures, medians over the rounds.
     *
     * @param mode the {@code wait=} name.
     * @param pingPongP50 ns.
     * @param pingPongP99 ns.
     * @param wakeupP50 ns.
     * @param wakeupMax ns.
     * @param burstP50 ns for the whole burst.
     * @param idleCpuMillisPerSecond CPU ms per second of idle waiting.
     */
    public record Figures(String mode, long pingPongP50, long pingPongP99, long wakeupP50, long wakeupMax,
                          long burstP50, double idleCpuMillisPerSecond) {
    }

    /** The file the survey writes into its directory. */
    public static final String CSV = "waitmodes.csv";

    /**
     * @param args {@code [--quick] [--out DIR]}.
     */
    public static void main(final String[] args) {
        boolean quick = false;
        Path out = Path.of(".");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--out" -> out = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: WaitModeSurvey [--quick] [--out DIR]");
                    System.exit(2);
                }
            }
        }
        run(quick, out, System.out);
    }

    /**
     * Runs the survey and writes {@value #CSV} into {@code out}:
     * {@code mode,pingpong_p50_ns,pingpong_p99_ns,wakeup_p50_ns,wakeup_max_ns,burst64_p50_ns,idle_cpu_ms_per_s}.
     *
     * @param quick the short run.
     * @param out the directory.
     * @param progress where the table and a line per round go.
     * @return one line per mode.
     */
    public static List<Figures> run(final boolean quick, final Path out, final PrintStream progress) {
        final List<Figures> figures = new WaitModeSurvey(quick).run(progress);
        try {
            Files.createDirectories(out);
            final List<String> lines = new ArrayList<>();
            lines.add("mode,pingpong_p50_ns,pingpong_p99_ns,wakeup_p50_ns,wakeup_max_ns,burst" + BURST
                + "_p50_ns,idle_cpu_ms_per_s");
            for (final Figures f : figures) {
                lines.add(f.mode() + "," + f.pingPongP50() + "," + f.pingPongP99() + "," + f.wakeupP50() + ","
                    + f.wakeupMax() + "," + f.burstP50() + ","
                    + String.format(java.util.Locale.ROOT, "%.1f", f.idleCpuMillisPerSecond()));
            }
            Files.write(out.resolve(CSV), lines);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot write " + out.resolve(CSV) + ": " + e.getMessage(), e);
        }
        return figures;
    }

    /**
     * Runs the survey.
     *
     * @param progress where the table and a line per round go.
     * @return one line per mode.
     */
    public List<Figures> run(final PrintStream progress) {
        final long[][][] samples = new long[MODES.size()][rounds][];
        for (int round = 0; round < rounds; round++) {
            for (int m = 0; m < MODES.size(); m++) {
                try (EchoSession session = EchoSession.start("mmap/" + MODES.get(m), "mmap",
                    "wait=" + MODES.get(m))) {
                    samples[m][round] = measure(session);
                }
                progress.printf("wait modes: round %d/%d, %-8s ping-pong p50 %.2f us, wake-up p50 %.1f us, "
                    + "idle CPU %.1f ms/s%n", round + 1, rounds, MODES.get(m), samples[m][round][0] / 1e3,
                    samples[m][round][2] / 1e3, samples[m][round][5] / 1e3);
            }
        }
        final List<Figures> figures = new ArrayList<>();
        for (int m = 0; m < MODES.size(); m++) {
            figures.add(new Figures(MODES.get(m), median(samples[m], 0), median(samples[m], 1),
                median(samples[m], 2), median(samples[m], 3), median(samples[m], 4), median(samples[m], 5) / 1e3));
        }
        progress.println("mode      ping-pong p50 us  p99 us   wake-up p50 us  max us   burst of " + BURST
            + " p50 us  idle CPU ms/s");
        for (final Figures f : figures) {
            progress.printf("%-9s %16.2f %7.2f %16.1f %7.1f %17.1f %14.1f%n", f.mode(), f.pingPongP50() / 1e3,
                f.pingPongP99() / 1e3, f.wakeupP50() / 1e3, f.wakeupMax() / 1e3, f.burstP50() / 1e3,
                f.idleCpuMillisPerSecond());
        }
        return figures;
    }

    /**
     * @return ping-pong p50, p99; wake-up p50, max; burst p50 (ns); idle CPU (µs per second).
     */
    private long[] measure(final EchoSession session) {
        final Sender sender = session.sender();
        final Receiver receiver = session.receiver();
        final Histogram pingPong = new Histogram(3);
        final long warmUpEnd = System.nanoTime() + pingPongNanos / 2;
        for (int i = 0; i < pingPongs / 4 && System.nanoTime() - warmUpEnd < 0; i++) {
            roundTrip(sender, receiver); // warm-up: both JVMs compile their loops
        }
        final long end = System.nanoTime() + pingPongNanos;
        for (int i = 0; i < pingPongs && System.nanoTime() - end < 0; i++) {
            pingPong.recordValue(roundTrip(sender, receiver));
        }
        final Histogram wakeup = new Histogram(3);
        final Histogram burst = new Histogram(3);
        for (int i = 0; i < wakeups; i++) {
            idle();
            wakeup.recordValue(roundTrip(sender, receiver));
            idle();
            final long start = System.nanoTime();
            for (int k = 0; k < BURST; k++) {
                offer(sender);
            }
            int echoed = 0;
            while (echoed < BURST) {
                echoed += poll(receiver);
            }
            burst.recordValue(System.nanoTime() - start);
        }
        final long cpuBefore = cpuNanos(session.pid());
        final long wallBefore = System.nanoTime();
        LockSupport.parkNanos(IDLE_MILLIS * 1_000_000L);
        final long cpu = cpuNanos(session.pid()) - cpuBefore;
        final long wall = System.nanoTime() - wallBefore;
        return new long[] {pingPong.getValueAtPercentile(50), pingPong.getValueAtPercentile(99),
            wakeup.getValueAtPercentile(50), wakeup.getMaxValue(), burst.getValueAtPercentile(50),
            cpu * 1_000_000L / wall};
    }

    private long roundTrip(final Sender sender, final Receiver receiver) {
        final long start = System.nanoTime();
        offer(sender);
        while (poll(receiver) == 0) {
            Thread.onSpinWait();
        }
        return System.nanoTime() - start;
    }

    private void offer(final Sender sender) {
        if (!sender.offer(message, TIMEOUT)) {
            throw new IllegalStateException("the echo process took no message for " + TIMEOUT.toSeconds() + " s");
        }
    }

    private int poll(final Receiver receiver) {
        return receiver.poll(ignore, BURST, TIMEOUT);
    }

    private static void idle() {
        LockSupport.parkNanos(IDLE_GAP_MILLIS * 1_000_000L);
    }

    /**
     * @param pid a process.
     * @return the CPU time of all its threads, from each {@code /proc/PID/task/TID/schedstat} (its first field).
     */
    static long cpuNanos(final long pid) {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            long sum = 0;
            for (final Path task : tasks.toList()) {
                try {
                    sum += Long.parseLong(Files.readString(task.resolve("schedstat")).trim().split(" ")[0]);
                } catch (final java.nio.file.NoSuchFileException threadEnded) {
                    continue; // it ended between the listing and the read: the process no longer counts its time
                }
            }
            return sum;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read the CPU time of process " + pid + ": " + e.getMessage(), e);
        }
    }

    private static long median(final long[][] rounds, final int field) {
        final long[] values = Arrays.stream(rounds).mapToLong(r -> r[field]).sorted().toArray();
        return values[values.length / 2];
    }
}
