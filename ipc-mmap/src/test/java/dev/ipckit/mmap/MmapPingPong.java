package dev.ipckit.mmap;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixMemory;
import dev.ipckit.posix.PosixProcess;
import dev.ipckit.spi.JavaCommand;

/**
 * A round-trip measurement between two processes, not a test: {@code mmap:} with {@code wait=spin} beside a raw
 * Agrona {@code OneToOneRingBuffer} over the same kind of mapping (a 64 KiB ring in a /dev/shm file), in one run.
 * The ping side sends a 32-byte message, the pong side echoes it, both spin. The bench module's ping-pong tool
 * is the real harness; this main gives the figure the mmap issue asks for.
 *
 * <pre>
 * java ... dev.ipckit.mmap.MmapPingPong [WARMUP [SAMPLES]]
 * </pre>
 */
public final class MmapPingPong {
    private static final int CAPACITY = 64 * 1024;
    private static final int LENGTH = 32;

    private MmapPingPong() {
    }

    /**
     * @param args {@code [WARMUP [SAMPLES]]}, or the pong side's arguments when started by the ping side.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception {
        if (args.length > 0 && "pong".equals(args[0])) {
            pong(args[1], args[2], args[3], Long.parseLong(args[4]));
            return;
        }
        final int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        final int samples = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        final String base = "/dev/shm/ipckit-pingpong-" + PosixProcess.getpid();
        for (final String mode : List.of("agrona", "ipckit", "agrona", "ipckit")) {
            System.out.println(report(mode, run(mode, base, warmup, samples)));
        }
    }

    private static long[] run(final String mode, final String base, final int warmup, final int samples)
        throws Exception {
        final String ping = base + "-" + mode + "-ping";
        final String pong = base + "-" + mode + "-pong";
        final long total = (long) warmup + samples;
        try {
            if ("agrona".equals(mode)) {
                final OneToOneRingBuffer out = rawRing(ping, true);
                final OneToOneRingBuffer in = rawRing(pong, true);
                final Process child = startPong(mode, ping, pong, total);
                return measure(warmup, samples, buffer -> out.write(1, buffer, 0, LENGTH),
                    () -> in.read((type, b, index, length) -> { }, 1) == 1, child);
            }
            try (Sender out = Channels.openSender("mmap:" + ping + "?capacity=64k&wait=spin&unlinkOnClose=true");
                 Receiver in = Channels.openReceiver("mmap:" + pong + "?capacity=64k&wait=spin&unlinkOnClose=true")) {
                final Process child = startPong(mode, ping, pong, total);
                return measure(warmup, samples, buffer -> out.offer(buffer, 0, LENGTH),
                    () -> in.poll((b, offset, length) -> { }, 1) == 1, child);
            }
        } finally {
            Files.deleteIfExists(Path.of(ping));
            Files.deleteIfExists(Path.of(pong));
        }
    }

    private interface Send {
        boolean send(UnsafeBuffer buffer);
    }

    private interface Take {
        boolean take();
    }

    private static long[] measure(final int warmup, final int samples, final Send send, final Take take,
                                  final Process child) throws Exception {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(LENGTH));
        final long[] rtt = new long[samples];
        for (int i = 0; i < warmup + samples; i++) {
            buffer.putLong(0, i);
            final long start = System.nanoTime();
            while (!send.send(buffer)) {
                Thread.onSpinWait();
            }
            while (!take.take()) {
                Thread.onSpinWait();
            }
            if (i >= warmup) {
                rtt[i - warmup] = System.nanoTime() - start;
            }
        }
        if (!child.waitFor(60, TimeUnit.SECONDS) || child.exitValue() != 0) {
            child.destroyForcibly();
            throw new IllegalStateException("the pong process failed");
        }
        return rtt;
    }

    private static Process startPong(final String mode, final String ping, final String pong, final long total)
        throws Exception {
        final List<String> args = List.of("pong", mode, ping, pong, Long.toString(total));
        return new ProcessBuilder(JavaCommand.of(MmapPingPong.class, args)).inheritIO().start();
    }

    private static void pong(final String mode, final String ping, final String pong, final long total)
        throws Exception {
        final UnsafeBuffer echo = new UnsafeBuffer(ByteBuffer.allocateDirect(LENGTH));
        if ("agrona".equals(mode)) {
            final OneToOneRingBuffer in = rawRing(ping, false);
            final OneToOneRingBuffer out = rawRing(pong, false);
            for (long n = 0; n < total; ) {
                if (in.read((type, b, index, length) -> echo.putBytes(0, b, index, length), 1) == 1) {
                    while (!out.write(1, echo, 0, LENGTH)) {
                        Thread.onSpinWait();
                    }
                    n++;
                }
            }
            return;
        }
        try (Receiver in = Channels.openReceiver("mmap:" + ping); Sender out = Channels.openSender("mmap:" + pong)) {
            for (long n = 0; n < total; ) {
                if (in.poll((b, offset, length) -> echo.putBytes(0, b, offset, length), 1) == 1) {
                    while (!out.offer(echo, 0, LENGTH)) {
                        Thread.onSpinWait();
                    }
                    n++;
                }
            }
        }
    }

    /**
     * A bare Agrona ring in a /dev/shm file, mapped MAP_SHARED through the same POSIX layer; never unmapped
     * (the process ends).
     */
    private static OneToOneRingBuffer rawRing(final String path, final boolean create) {
        final long length = CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
        final int flags = PosixFiles.O_RDWR | PosixFiles.O_CLOEXEC | (create ? PosixFiles.O_CREAT : 0);
        final int fd = PosixFiles.open(path, flags, 0600);
        if (create) {
            PosixFiles.ftruncate(fd, length);
        }
        final var mapping = PosixMemory.mmap(fd, length, PosixMemory.PROT_READ | PosixMemory.PROT_WRITE,
            PosixMemory.MAP_SHARED, 0);
        PosixFiles.close(fd);
        return new OneToOneRingBuffer(new UnsafeBuffer(mapping.address(), (int) length));
    }

    private static String report(final String mode, final long[] rtt) {
        Arrays.sort(rtt);
        return String.format("%-7s round trip ns: p50=%d p99=%d p99.9=%d max=%d (%d samples)", mode,
            rtt[rtt.length / 2], rtt[(int) (rtt.length * 0.99)], rtt[(int) (rtt.length * 0.999)], rtt[rtt.length - 1],
            rtt.length);
    }
}
