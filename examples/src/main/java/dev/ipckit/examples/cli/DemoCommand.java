package dev.ipckit.examples.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.ChannelException;
import dev.ipckit.Channels;
import dev.ipckit.MessageHandler;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.examples.Generated;
import dev.ipckit.fifo.ChildPipe;
import dev.ipckit.fifo.ChildProcess;
import dev.ipckit.posix.PosixProcess;
import dev.ipckit.spi.JavaCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ipckit demo}: for each transport, a consumer in a separate process receives and verifies a stream of
 * generated messages, then echoes pings; one row per transport shows throughput and round-trip latency.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Run every transport between this process and a consumer process: send generated messages,",
        "verify count, order and checksum in the consumer, then time a short ping-pong. Exits 0 only when",
        "every transport verified."})
final class DemoCommand implements Callable<Integer> {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int PING_SIZE = 32;

    @Option(names = "--transport", defaultValue = "all", paramLabel = "NAME",
        description = "mmap, fifo, pipe, signal or all (default ${DEFAULT-VALUE})")
    String transport;

    @Option(names = "--messages", defaultValue = "200000", paramLabel = "N", description = "messages per transport (default ${DEFAULT-VALUE})")
    long messages;

    @Option(names = "--size", defaultValue = "64", paramLabel = "BYTES", description = "message size (default ${DEFAULT-VALUE}, at least 8)")
    int size;

    @Option(names = "--pings", defaultValue = "20000", paramLabel = "N", description = "timed round trips per transport (default ${DEFAULT-VALUE})")
    int pings;

    private record Row(String transport, long messages, int size, double seconds, long p50, long p99, String result) {
    }

    @Override
    public Integer call() throws Exception {
        final List<String> transports = switch (transport) {
            case "all" -> List.of("mmap", "fifo", "pipe", "signal");
            case "mmap", "fifo", "pipe", "signal" -> List.of(transport);
            default -> throw new IllegalArgumentException("--transport " + transport + " is not one of mmap, fifo, pipe, signal, all");
        };
        if (size < Generated.MIN_SIZE) {
            throw new IllegalArgumentException("--size " + size + " is below " + Generated.MIN_SIZE + " (the sequence number)");
        }
        if (messages < 1 || pings < 1) {
            throw new IllegalArgumentException("--messages and --pings must be at least 1");
        }
        final List<Row> rows = new ArrayList<>();
        for (final String name : transports) {
            System.err.println("demo: " + name + ": starting the consumer process, then " + messages + " messages of "
                + size + " bytes and " + pings + " pings");
            Row row;
            try {
                row = runOne(name);
            } catch (final RuntimeException e) {
                row = new Row(name, messages, size, 0, 0, 0, "FAILED: " + e.getMessage());
            }
            System.err.println("demo: " + name + ": " + row.result());
            rows.add(row);
        }
        System.out.printf("%-8s %10s %6s %12s %9s %10s %10s  %s%n", "transport", "messages", "size", "msgs/s", "MB/s",
            "rtt p50", "rtt p99", "result");
        boolean allVerified = true;
        for (final Row row : rows) {
            final boolean ok = row.result().equals("verified");
            allVerified &= ok;
            System.out.printf("%-9s %10d %6d %12s %9s %10s %10s  %s%n", row.transport(), row.messages(), row.size(),
                ok ? String.format("%,.0f", row.messages() / row.seconds()) : "-",
                ok ? String.format("%.1f", row.messages() * (double) row.size() / row.seconds() / 1e6) : "-",
                ok ? micros(row.p50()) : "-", ok ? micros(row.p99()) : "-", row.result());
        }
        return allVerified ? 0 : Main.EXIT_FAILED;
    }

    private static String micros(final long nanos) {
        return String.format("%.1f us", nanos / 1000.0);
    }

    private Row runOne(final String name) throws IOException {
        final String tag = "ipckit-demo-" + PosixProcess.getpid() + "-" + name;
        final String maxMessage = "maxMessage=" + Math.max(size, 64);
        if (name.equals("pipe")) {
            try (ChildPipe toChild = ChildPipe.toChild(maxMessage);
                 ChildPipe fromChild = ChildPipe.fromChild(maxMessage);
                 ChildProcess child = ChildProcess.startJava(DemoPeer.class,
                     peerArgs("pipe:fd=3?" + maxMessage, "pipe:fd=4?" + maxMessage), toChild, fromChild)) {
                final Row row = drive(name, toChild.sender(), fromChild.receiver());
                toChild.close();
                final var status = child.waitFor(TIMEOUT);
                return status != null && status.exited() && status.exitCode() == 0 ? row
                    : withResult(row, "FAILED: the consumer " + (status == null ? "did not exit" : status.toString()));
            }
        }
        final List<String> uris;
        Path fifoDir = null;
        if (name.equals("fifo")) {
            fifoDir = Files.createTempDirectory(tag);
            uris = List.of("fifo:" + fifoDir.resolve("data.fifo") + "?timeout=30s&" + maxMessage,
                "fifo:" + fifoDir.resolve("reply.fifo") + "?timeout=30s&" + maxMessage);
        } else {
            final String options = "?capacity=1m&unlinkOnClose=true&" + maxMessage + "&wait=" + (name.equals("signal") ? "signal" : "backoff");
            uris = List.of("mmap:/dev/shm/" + tag + "-data" + options, "mmap:/dev/shm/" + tag + "-reply" + options);
        }
        final Process child = new ProcessBuilder(JavaCommand.of(DemoPeer.class, peerArgs(uris.get(0), uris.get(1))))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
        try {
            final Row row;
            try (Sender data = Channels.openSender(uris.get(0)); Receiver reply = Channels.openReceiver(uris.get(1))) {
                row = drive(name, data, reply);
            }
            if (!child.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                return withResult(row, "FAILED: the consumer did not exit");
            }
            return child.exitValue() == 0 ? row : withResult(row, "FAILED: the consumer exited with " + child.exitValue());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChannelException("interrupted", e);
        } finally {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
            if (fifoDir != null) {
                try (var files = Files.list(fifoDir)) {
                    for (final Path file : files.toList()) {
                        Files.deleteIfExists(file);
                    }
                }
                Files.deleteIfExists(fifoDir);
            }
        }
    }

    private static Row withResult(final Row row, final String result) {
        return new Row(row.transport(), row.messages(), row.size(), row.seconds(), row.p50(), row.p99(), result);
    }

    private List<String> peerArgs(final String dataUri, final String replyUri) {
        return List.of(dataUri, replyUri, Long.toString(messages), Integer.toString(pings + warmup()));
    }

    private int warmup() {
        return Math.min(2000, Math.max(100, pings / 5));
    }

    private Row drive(final String name, final Sender data, final Receiver reply) {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.max(size, DemoPeer.SUMMARY_LENGTH)));
        final CRC32C crc = new CRC32C();
        final byte[] scratch = new byte[size];
        if (reply.poll((b, o, l) -> { }, 1, TIMEOUT) == 0) {
            throw new ChannelException("the consumer process did not open its ends within " + TIMEOUT);
        }
        final long start = System.nanoTime();
        long lastProgress = start;
        for (long seq = 0; seq < messages; seq++) {
            Generated.fill(buffer, seq, size);
            Generated.update(crc, buffer, 0, size, scratch);
            if (!data.offer(buffer, 0, size, TIMEOUT)) {
                throw new ChannelException("the consumer stopped reading after " + seq + " messages");
            }
            if (System.nanoTime() - lastProgress > 1_000_000_000L) {
                lastProgress = System.nanoTime();
                System.err.printf("demo: %s: %,d of %,d sent%n", name, seq, messages);
            }
        }
        final long[] summary = new long[3];
        final MessageHandler readSummary = (b, o, l) -> {
            summary[0] = b.getLong(o);
            summary[1] = b.getLong(o + 8);
            summary[2] = l == DemoPeer.SUMMARY_LENGTH ? b.getInt(o + 16) : -1;
        };
        if (reply.poll(readSummary, 1, TIMEOUT) == 0) {
            throw new ChannelException("the consumer sent no summary within " + TIMEOUT);
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        if (summary[2] != 1 || summary[0] != messages || summary[1] != crc.getValue()) {
            return new Row(name, messages, size, seconds, 0, 0, String.format(
                "FAILED: the consumer counted %d messages with crc32c %08x, %s; sent %d with crc32c %08x",
                summary[0], summary[1], summary[2] == 1 ? "in order" : "out of order or corrupt", messages, crc.getValue()));
        }
        final long[] rtt = pingPong(data, reply, buffer);
        return new Row(name, messages, size, seconds, rtt[rtt.length / 2], rtt[(int) (rtt.length * 0.99)], "verified");
    }

    private long[] pingPong(final Sender data, final Receiver reply, final UnsafeBuffer buffer) {
        final int warmup = warmup();
        final long[] rtt = new long[pings];
        final long[] got = {-1};
        final MessageHandler echo = (b, o, l) -> got[0] = l == PING_SIZE ? b.getLong(o) : -1;
        for (int i = 0; i < warmup + pings; i++) {
            buffer.putLong(0, i);
            final long start = System.nanoTime();
            if (!data.offer(buffer, 0, PING_SIZE, TIMEOUT) || reply.poll(echo, 1, TIMEOUT) == 0) {
                throw new ChannelException("ping " + i + " got no reply within " + TIMEOUT);
            }
            final long elapsed = System.nanoTime() - start;
            if (got[0] != i) {
                throw new ChannelException("ping " + i + " came back as " + got[0]);
            }
            if (i >= warmup) {
                rtt[i - warmup] = elapsed;
            }
        }
        Arrays.sort(rtt);
        return rtt;
    }
}
