package dev.ipckit.fifo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.conformance.ProcessResources;
import dev.ipckit.conformance.Reliability;
import dev.ipckit.posix.PosixProcess;

/**
 * Opening and closing {@value Reliability#RESOURCE_CHANNELS} (10,000 by default) FIFO channels, pipe pairs and
 * child pipes, each carrying a message, leaves no descriptor and no thread behind; so do FIFO receivers that wait
 * for their sender (each waits with a helper thread) and children started on pipes, which are all reaped.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class FifoResourceTest {
    private static final int SLACK = 64;

    @TempDir
    Path dir;

    private ProcessResources snapshot() {
        final String own = dir.toString();
        return ProcessResources.take(target -> target.startsWith(own) || target.startsWith("pipe:"));
    }

    @Test
    void shouldLeaveNothingBehindAfterManyFifoChannels() {
        fifoCycle(0, 200);
        final ProcessResources before = snapshot();
        final int count = Reliability.resourceChannels();
        final long started = System.nanoTime();
        fifoCycle(200, count);
        final ProcessResources after = snapshot();
        before.assertNothingLeftIn(after, count + " FIFO channels", SLACK);
        System.out.printf("resources fifo: %,d sender/receiver pairs opened, used and closed in %d ms; %s%n", count,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), before.change(after));
    }

    private void fifoCycle(final int from, final int count) {
        for (int i = from; i < from + count; i++) {
            final String path = dir.resolve(i % 2 == 0 ? "reused.fifo" : "fresh-" + i + ".fifo").toString();
            try (Receiver receiver = Channels.openReceiver("fifo:" + path + "?nonblock=true");
                 Sender sender = Channels.openSender("fifo:" + path + "?nonblock=true")) {
                assertTrue(sender.offer(new byte[] {7}));
                assertEquals(1, receiver.poll((b, o, l) -> { }, 1, Duration.ofSeconds(5)));
            }
            if (i % 2 == 1) {
                delete(Path.of(path));
            }
        }
    }

    private static void delete(final Path path) {
        try {
            Files.delete(path);
        } catch (final IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void shouldLeaveNothingBehindAfterManyPipesAndChildPipes() {
        pipeCycle(200);
        final ProcessResources before = snapshot();
        final int count = Reliability.resourceChannels();
        final long started = System.nanoTime();
        pipeCycle(count);
        final ProcessResources after = snapshot();
        before.assertNothingLeftIn(after, count + " pipe pairs and child pipes", SLACK);
        System.out.printf("resources pipe: %,d pipe pairs and %,d child pipes opened, used and closed in %d ms; %s%n",
            count, count, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), before.change(after));
    }

    private static void pipeCycle(final int count) {
        for (int i = 0; i < count; i++) {
            try (Pipes.Pair pair = Pipes.open()) {
                assertTrue(pair.sender().offer(new byte[] {7}));
                assertEquals(1, pair.receiver().poll((b, o, l) -> { }, 1, Duration.ofSeconds(5)));
            }
            try (ChildPipe pipe = i % 2 == 0 ? ChildPipe.toChild() : ChildPipe.fromChild()) {
                assertEquals(0, pipe.handedTo());
            }
        }
    }

    @Test
    void shouldEndEveryHelperThreadOfReceiversThatWaitForTheirSender() throws Exception {
        rendezvousCycle(20);
        final ProcessResources before = snapshot();
        final int count = Math.max(100, Reliability.resourceChannels() / 10);
        rendezvousCycle(count);
        final ProcessResources after = snapshot();
        before.assertNothingLeftIn(after, count + " waiting FIFO receivers", SLACK);
        // The one deadline thread of blocking reads (ipckit-read-deadlines) lives as long as the process; the
        // rendezvous threads must all be gone.
        assertEquals(0, Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("ipckit-fifo-rendezvous-")).count(), "no rendezvous thread outlives its open");
        System.out.printf("resources fifo rendezvous: %,d receivers that waited for their sender; %s%n", count,
            before.change(after));
    }

    private void rendezvousCycle(final int count) throws Exception {
        for (int i = 0; i < count; i++) {
            final String path = dir.resolve("rendezvous.fifo").toString();
            final CompletableFuture<Receiver> opening = CompletableFuture.supplyAsync(
                () -> Channels.openReceiver("fifo:" + path + "?timeout=10s"));
            try (Sender sender = Channels.openSender("fifo:" + path + "?timeout=10s");
                 Receiver receiver = opening.get(10, TimeUnit.SECONDS)) {
                assertTrue(sender.offer(new byte[] {7}));
                assertEquals(1, receiver.poll((b, o, l) -> { }, 1, Duration.ofSeconds(5)));
            }
        }
    }

    @Test
    void shouldReapEveryChildAndCloseEveryPipeEndOfChildrenStartedOnPipes() throws IOException {
        final List<String> program = List.of("/bin/true");
        for (int i = 0; i < 10; i++) {
            spawnOnce(program);
        }
        final ProcessResources before = snapshot();
        final int count = Math.max(100, Reliability.resourceChannels() / 20);
        for (int i = 0; i < count; i++) {
            spawnOnce(program);
        }
        final ProcessResources after = snapshot();
        before.assertNothingLeftIn(after, count + " children on pipes", SLACK);
        final String children = Files.readString(Path.of("/proc/self/task/" + PosixProcess.gettid() + "/children"));
        assertEquals("", children.trim(), "every child was reaped");
        System.out.printf("resources child processes: %,d children started on two pipes each and reaped; %s%n", count,
            before.change(after));
    }

    private static void spawnOnce(final List<String> program) {
        try (ChildPipe in = ChildPipe.toChild(); ChildPipe out = ChildPipe.fromChild();
             ChildProcess child = ChildProcess.start(program, in, out)) {
            assertEquals(0, child.waitFor(Duration.ofSeconds(10)).exitCode());
        }
    }
}
