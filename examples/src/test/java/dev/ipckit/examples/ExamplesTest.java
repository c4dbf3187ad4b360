package dev.ipckit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.posix.PosixProcess;
import dev.ipckit.posix.PosixSignals;
import dev.ipckit.spi.JavaCommand;

/**
 * Every example pair runs as two real processes and says what it did.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ExamplesTest {
    @TempDir
    Path dir;

    /** A running example with its stdout collected ({@code seen}: what it has printed so far). */
    record Example(Process process, CompletableFuture<String> out, StringBuffer seen) {
        static Example start(final Class<?> main, final String... args) {
            try {
                final Process process = new ProcessBuilder(JavaCommand.of(main, List.of(args)))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                final StringBuffer seen = new StringBuffer();
                return new Example(process, CompletableFuture.supplyAsync(() -> read(process.getInputStream(), seen),
                    task -> Thread.ofPlatform().daemon().start(task)), seen);
            } catch (final IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Waits until the example has printed {@code text}, while it runs. */
        void awaitPrinted(final String text) {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!seen.toString().contains(text)) {
                assertTrue(process.isAlive(), "the example runs until it prints " + text + "; it printed: " + seen);
                assertTrue(System.nanoTime() - deadline < 0, "the example printed no " + text + " in 120 s: " + seen);
                LockSupport.parkNanos(10_000_000);
            }
        }

        String awaitOutput(final int expectedExit) throws Exception {
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the example exits");
            final String text = out.get(30, TimeUnit.SECONDS);
            assertEquals(expectedExit, process.exitValue(), text);
            return text;
        }

        private static String read(final InputStream in, final StringBuffer seen) {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (in) {
                final byte[] chunk = new byte[8192];
                int n;
                while ((n = in.read(chunk)) >= 0) {
                    bytes.write(chunk, 0, n);
                    seen.setLength(0);
                    seen.append(bytes.toString(StandardCharsets.UTF_8));
                }
            } catch (final IOException e) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void shouldRunTheFifoProducerConsumerPair() throws Exception {
        final String uri = "fifo:" + dir.resolve("example.fifo") + "?timeout=60s";
        final Example consumer = Example.start(Consumer.class, uri);
        final Example producer = Example.start(Producer.class, uri, "20000", "64");
        assertTrue(producer.awaitOutput(0).contains("producer: done, 20,000 messages"));
        assertTrue(consumer.awaitOutput(0).contains("consumer: the producer closed; 20,000 messages received, all verified"));
    }

    @Test
    void shouldRunTheMmapPairAndTheMmapPairWithSignalWakeups() throws Exception {
        for (final String options : new String[] {"?capacity=256k", "?capacity=256k&wait=signal"}) {
            final String uri = "mmap:" + dir.resolve("example" + options.length()) + options;
            final Example consumer = Example.start(Consumer.class, uri);
            final Example producer = Example.start(Producer.class, uri, "20000", "64");
            assertTrue(producer.awaitOutput(0).contains("producer: done, 20,000 messages"));
            assertTrue(consumer.awaitOutput(0).contains("consumer: the producer closed; 20,000 messages received, all verified"));
        }
    }

    @Test
    void shouldRunThePipeParentAndChild() throws Exception {
        final String out = Example.start(PipeParent.class, "20000", "100").awaitOutput(0);
        assertTrue(out.contains("consumer: the producer closed; 20,000 messages received, all verified"), out);
        assertTrue(out.contains("parent: sent 20000 messages; process "), out);
        assertTrue(out.contains("exited with 0"), out);
    }

    @Test
    void shouldRunTheRequestReplyPair() throws Exception {
        final String requests = "fifo:" + dir.resolve("requests.fifo") + "?timeout=60s";
        final String replies = "fifo:" + dir.resolve("replies.fifo") + "?timeout=60s";
        final Example responder = Example.start(Responder.class, requests, replies);
        final String out = Example.start(Requester.class, requests, replies, "2000").awaitOutput(0);
        assertTrue(out.contains("requester: 2,000 round trips, p50 "), out);
        assertTrue(responder.awaitOutput(0).contains("responder: done, 2,000 requests answered"));
    }

    @Test
    void shouldGiveEveryMessageOfOnePublisherToEachOfThreeSubscribers() throws Exception {
        final String uri = "mmap:" + dir.resolve("broadcast") + "?capacity=256k&subscribers=4";
        final List<Example> started = new ArrayList<>();
        try {
            final List<Example> subscribers = new ArrayList<>();
            for (int i = 0; i < 3; i++) { // one after another, as from three terminals
                final Example subscriber = Example.start(Subscriber.class, uri);
                started.add(subscriber);
                subscriber.awaitPrinted("subscriber: receiving from " + uri); // it gets what is sent after it joined
                subscribers.add(subscriber);
            }
            final Example publisher = Example.start(Publisher.class, uri, "20000", "64");
            started.add(publisher);
            assertTrue(publisher.awaitOutput(0).contains("publisher: done, 20,000 messages"));
            for (final Example subscriber : subscribers) {
                final String out = subscriber.awaitOutput(0);
                assertTrue(out.contains("subscriber: the publisher closed; 20,000 messages received (from #0), all "
                    + "verified"), out);
            }
        } finally { // a subscriber waits for a publisher until Ctrl-C: none outlives a failed test
            started.forEach(example -> example.process().destroyForcibly());
        }
    }

    @Test
    void shouldStopCleanlyOnCtrlC() throws Exception {
        final String uri = "fifo:" + dir.resolve("interrupted.fifo") + "?nonblock=true";
        final Example consumer = Example.start(Consumer.class, uri);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!dir.resolve("interrupted.fifo").toFile().exists() && System.nanoTime() < deadline) {
            assertTrue(consumer.process().isAlive(), "the consumer runs until interrupted");
            Thread.onSpinWait();
        }
        PosixProcess.kill((int) consumer.process().pid(), PosixSignals.SIGINT);
        final String out = consumer.awaitOutput(128 + PosixSignals.SIGINT);
        assertTrue(out.contains("consumer: stopped, 0 messages received, all verified"), out);
    }
}
