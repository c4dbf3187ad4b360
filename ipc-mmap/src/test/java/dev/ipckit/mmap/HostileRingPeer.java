package dev.ipckit.mmap;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.conformance.TaggedMessages;

/**
 * The child side of {@link MmapHostileInputTest}: the cases that could crash a JVM run here, so that a crash fails
 * one test and leaves its report where the test looks. Usage:
 *
 * <pre>
 * open-each FILE...          open each file as a receiver, then as a sender (mmap:FILE?timeout=1s); print one line
 *                            per file and role: FILE TAB role TAB opened, or ... TAB refused TAB class TAB message
 * exercise URI...            open both ends of each ring, send 20 tagged messages and receive them; print URI TAB
 *                            intact TAB count, URI TAB refused TAB class TAB message, or URI TAB broken TAB what
 * shrink URI READY           stream through both ends of a ring (two threads) until each fails; print role TAB class
 *                            TAB message for each, then close both and print close TAB ok (or what close threw)
 * shrink-idle URI READY      the same with a receiver alone, idle: it finds the file shrunk while it waits
 * </pre>
 *
 * Exit codes: 0 done (the lines say how each case went), 3 timed out, 4 bad usage.
 */
public final class HostileRingPeer {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final int MESSAGES = 20;
    private static final int MAX_PAYLOAD = 100;

    private HostileRingPeer() {
    }

    /**
     * @param args see the class comment.
     * @throws Exception on failure, which exits non-zero.
     */
    public static void main(final String[] args) throws Exception {
        if (args.length < 2) {
            usage();
        }
        switch (args[0]) {
            case "open-each" -> {
                for (int i = 1; i < args.length; i++) {
                    openEach(args[i]);
                }
            }
            case "exercise" -> {
                for (int i = 1; i < args.length; i++) {
                    exercise(args[i]);
                }
            }
            case "shrink" -> shrink(args[1], Path.of(args[2]));
            case "shrink-idle" -> shrinkIdle(args[1], Path.of(args[2]));
            default -> usage();
        }
        System.out.flush();
        System.exit(0);
    }

    private static void usage() {
        System.err.println("usage: open-each FILE... | exercise URI... | shrink URI READY | shrink-idle URI READY");
        System.exit(4);
    }

    private static String oneLine(final Throwable t) {
        return t.getClass().getSimpleName() + "\t" + String.valueOf(t.getMessage()).replace('\n', ' ');
    }

    private static void openEach(final String file) {
        for (final String role : new String[] {"receiver", "sender"}) {
            final String uri = "mmap:" + file + "?timeout=1s";
            try {
                if (role.equals("receiver")) {
                    Channels.openReceiver(uri).close();
                } else {
                    Channels.openSender(uri).close();
                }
                System.out.println(file + "\t" + role + "\topened");
            } catch (final RuntimeException e) {
                System.out.println(file + "\t" + role + "\trefused\t" + oneLine(e));
            }
        }
    }

    private static void exercise(final String uri) {
        final long[] next = {0};
        final String[] broken = {null};
        try (Receiver receiver = Channels.openReceiver(uri); Sender sender = Channels.openSender(uri)) {
            final UnsafeBuffer buffer =
                new UnsafeBuffer(ByteBuffer.allocateDirect(TaggedMessages.PAYLOAD_OFFSET + MAX_PAYLOAD));
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            int sent = 0;
            while (next[0] < MESSAGES && broken[0] == null) {
                if (System.nanoTime() - deadline > 0) {
                    System.out.println(uri + "\tbroken\tonly " + next[0] + " of " + MESSAGES + " messages came back");
                    return;
                }
                if (sent < MESSAGES) {
                    final int length = TaggedMessages.fill(buffer, 7, sent, MAX_PAYLOAD);
                    if (sender.offer(buffer, 0, length, Duration.ofMillis(100))) {
                        sent++;
                    }
                }
                receiver.poll((b, o, l) -> {
                    if (broken[0] == null) {
                        broken[0] = TaggedMessages.verify(b, o, l, 7, next[0], MAX_PAYLOAD);
                        next[0]++;
                    }
                }, MESSAGES, Duration.ofMillis(1));
            }
            System.out.println(uri + (broken[0] == null ? "\tintact\t" + next[0] : "\tbroken\t" + broken[0]));
        } catch (final RuntimeException e) {
            System.out.println(uri + "\trefused\t" + oneLine(e));
        }
    }

    private static void shrinkIdle(final String uri, final Path ready) throws Exception {
        final Receiver receiver = Channels.openReceiver(uri);
        ready(ready);
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        Throwable failure = null;
        try {
            while (System.nanoTime() - deadline < 0) {
                receiver.poll((b, o, l) -> { }, 16, Duration.ofMillis(10));
            }
        } catch (final Throwable t) {
            failure = t;
        }
        System.out.println("receiver\t" + (failure == null ? "no error\t" : oneLine(failure)));
        try {
            receiver.close();
            System.out.println("close\tok");
        } catch (final Throwable t) {
            System.out.println("close\t" + oneLine(t));
        }
    }

    private static void ready(final Path ready) throws java.io.IOException {
        final Path temporary = Path.of(ready + ".tmp");
        Files.writeString(temporary, "ready");
        Files.move(temporary, ready, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void shrink(final String uri, final Path ready) throws Exception {
        final Sender sender = Channels.openSender(uri);
        final Receiver receiver = Channels.openReceiver(uri);
        final CompletableFuture<Throwable> sending = CompletableFuture.supplyAsync(() -> {
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            try {
                while (System.nanoTime() - deadline < 0) {
                    sender.offer(buffer, 0, 64, Duration.ofMillis(10));
                }
                return null;
            } catch (final Throwable t) {
                return t;
            }
        });
        final CompletableFuture<Throwable> receiving = CompletableFuture.supplyAsync(() -> {
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            try {
                while (System.nanoTime() - deadline < 0) {
                    receiver.poll((b, o, l) -> b.getByte(o), 16, Duration.ofMillis(10));
                }
                return null;
            } catch (final Throwable t) {
                return t;
            }
        });
        ready(ready);
        final Throwable sent = sending.get(DEADLINE.toSeconds() + 10, TimeUnit.SECONDS);
        final Throwable received = receiving.get(DEADLINE.toSeconds() + 10, TimeUnit.SECONDS);
        System.out.println("sender\t" + (sent == null ? "no error\t" : oneLine(sent)));
        System.out.println("receiver\t" + (received == null ? "no error\t" : oneLine(received)));
        try {
            sender.close();
            receiver.close();
            System.out.println("close\tok");
        } catch (final Throwable t) {
            System.out.println("close\t" + oneLine(t));
        }
    }
}
