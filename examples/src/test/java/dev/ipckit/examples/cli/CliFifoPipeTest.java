package dev.ipckit.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.Channels;
import dev.ipckit.Sender;
import dev.ipckit.examples.Generated;
import dev.ipckit.fifo.ChildPipe;
import dev.ipckit.fifo.ChildProcess;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixPipes;
import dev.ipckit.spi.JavaCommand;

@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CliFifoPipeTest {
    @TempDir
    Path dir;

    private String fifo(final String name) {
        return "fifo:" + dir.resolve(name) + "?timeout=60s";
    }

    @Test
    void shouldSendAndVerifyGeneratedMessagesOverAFifo() {
        final String uri = fifo("gen.fifo");
        try (Cli recv = Cli.start("recv", uri, "--count", "5000", "--verify")) {
            final Cli.Result send = Cli.run("send", uri, "--count", "5000", "--size", "100");
            assertEquals(0, send.exitCode(), send.err());
            final Cli.Result received = recv.await();
            assertEquals(0, received.exitCode(), received.err());
            assertTrue(received.out().startsWith("received 5000 messages, 500000 bytes, verified, crc32c="), received.out());
        }
    }

    @Test
    void shouldCarryStdinLinesAndExitZeroWhenTheSenderCloses() {
        final String uri = fifo("lines.fifo");
        try (Cli recv = Cli.start("recv", uri)) {
            final Cli.Result send;
            try (Cli sender = Cli.withStdin("hello\nsecond line\n\nlast", "send", uri)) {
                send = sender.await();
            }
            assertEquals(0, send.exitCode(), send.err());
            assertTrue(send.err().contains("sent 4 messages"), send.err());
            final Cli.Result received = recv.await();
            assertEquals(0, received.exitCode(), received.err());
            assertEquals(List.of("hello", "second line", "", "last"), received.lines());
        }
    }

    @Test
    void shouldLeaveTheMessagesAfterCountInTheFifoForTheNextReceiver() {
        final Path path = dir.resolve("count.fifo");
        PosixPipes.mkfifo(path.toString(), 0600);
        // A reader that reads nothing keeps the FIFO open for reading between the receivers, so the writer never
        // meets EPIPE; FIONREAD on it says what the FIFO holds.
        final int watcher = PosixFiles.open(path.toString(), PosixFiles.O_RDONLY | PosixFiles.O_NONBLOCK, 0);
        final String uri = "fifo:" + path + "?timeout=60s";
        try (Sender writer = Channels.openSender(uri)) {
            for (int i = 1; i <= 20; i++) {
                assertTrue(writer.offer(("message " + i).getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(30)));
            }
            final int all = PosixPipes.bytesQueued(watcher);
            final Cli.Result first = Cli.run("recv", uri, "--count", "5");
            assertEquals(0, first.exitCode(), first.err());
            assertEquals(List.of("message 1", "message 2", "message 3", "message 4", "message 5"), first.lines());
            assertEquals("", first.err(), "nothing read ahead, so nothing dropped");
            assertTrue(PosixPipes.bytesQueued(watcher) > 0 && PosixPipes.bytesQueued(watcher) < all);
            final Cli.Result second = Cli.run("recv", uri, "--count", "15");
            assertEquals(0, second.exitCode(), second.err());
            assertEquals(IntStream.rangeClosed(6, 20).mapToObj(i -> "message " + i).toList(), second.lines());
            assertEquals(0, PosixPipes.bytesQueued(watcher), "the FIFO holds something the writer never sent");
        } finally {
            PosixFiles.close(watcher);
        }
    }

    @Test
    void shouldExitOneNamingTheSenderWhenItLeavesMidStream() {
        final String uri = fifo("short.fifo");
        try (Cli recv = Cli.start("recv", uri, "--count", "10", "--verify")) {
            try (Sender sender = Channels.openSender(uri)) {
                final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
                for (int i = 0; i < 4; i++) {
                    Generated.fill(buffer, i, 64);
                    assertTrue(sender.offer(buffer, 0, 64, Duration.ofSeconds(30)));
                }
            }
            final Cli.Result received = recv.await();
            assertEquals(1, received.exitCode());
            assertTrue(received.err().startsWith("ipckit recv: the sender left after 4 of 10 messages"), received.err());
            assertEquals(1, received.err().lines().count(), "one sentence, no stack trace: " + received.err());
        }
    }

    @Test
    void shouldExitOneNamingTheSendersPidWhenItIsKilledMidStream() throws Exception {
        final String uri = fifo("killed.fifo");
        final Path ready = dir.resolve("sender.ready");
        try (Cli recv = Cli.start("recv", uri, "--verify")) {
            final Process sender = CliPeer.start("send", uri, "50", "64", ready.toString());
            try {
                CliPeer.awaitReady(ready, sender);
            } finally {
                CliPeer.kill(sender);
            }
            final Cli.Result received = recv.await();
            assertEquals(1, received.exitCode(), received.err());
            assertTrue(received.err().startsWith("ipckit recv: the sender (process " + sender.pid()
                + ") died without closing its end after 50 messages: "), received.err());
            assertEquals(1, received.err().lines().count(), "one sentence, no stack trace: " + received.err());
        }
    }

    @Test
    void shouldExitOneNamingTheFifoWhenTheReceiverIsKilledMidStream() throws Exception {
        final String uri = fifo("receiver-killed.fifo");
        final Path ready = dir.resolve("receiver.ready");
        final Process receiver = CliPeer.start("stall", uri, ready.toString());
        try (Cli send = Cli.start("send", uri, "--count", "1000000", "--size", "1000")) {
            try {
                CliPeer.awaitReady(ready, receiver); // its open returns once the sender has opened
            } finally {
                CliPeer.kill(receiver);
            }
            final Cli.Result sent = send.await();
            assertEquals(1, sent.exitCode(), sent.err());
            assertTrue(sent.err().startsWith("ipckit send: the receiver (process " + receiver.pid() + ") left after "),
                sent.err());
            assertTrue(sent.err().contains(dir.resolve("receiver-killed.fifo").toString()), sent.err());
            assertEquals(1, sent.err().lines().count(), "one sentence, no stack trace: " + sent.err());
        }
    }

    @Test
    void shouldReportABadUriInOneLineWithExitTwo() {
        final Cli.Result result = Cli.run("recv", "nowhere:x");
        assertEquals(2, result.exitCode());
        assertTrue(result.err().startsWith("ipckit recv: unknown channel scheme 'nowhere'"), result.err());
        assertEquals(1, result.err().lines().count(), result.err());
        final Cli.Result verbose = Cli.run("recv", "nowhere:x", "--verbose");
        assertTrue(verbose.err().contains("at dev.ipckit.Channels"), "--verbose shows the stack trace");
    }

    @Test
    void shouldReceiveFromAChildSendingOnAnInheritedPipe() {
        try (ChildPipe fromChild = ChildPipe.fromChild();
             ChildProcess child = ChildProcess.start(JavaCommand.of(Main.class,
                 List.of("send", "pipe:fd=3", "--count", "3000", "--size", "48")), fromChild)) {
            final long[] next = {0};
            final String[] failure = {null};
            while (true) {
                try {
                    fromChild.receiver().poll((b, o, l) -> {
                        if (failure[0] == null) {
                            failure[0] = Generated.verify(b, o, l, next[0], 48);
                        }
                        next[0]++;
                    }, 100, Duration.ofSeconds(30));
                } catch (final dev.ipckit.PeerGoneException e) {
                    break;
                }
            }
            assertEquals(3000, next[0]);
            assertEquals(null, failure[0]);
            assertEquals(0, child.waitFor(Duration.ofSeconds(60)).exitCode());
        }
    }

    @Test
    void shouldPrintLinesAChildReceivesOnAnInheritedPipe() throws Exception {
        final Path out = dir.resolve("child.out");
        try (ChildPipe toChild = ChildPipe.toChild();
             ChildProcess child = ChildProcess.start(List.of("/bin/sh", "-c",
                 "exec \"$0\" \"$@\" > " + out, JavaCommand.javaExecutable(), JavaCommand.JVM_FLAGS.get(0), JavaCommand.JVM_FLAGS.get(1),
                 JavaCommand.JVM_FLAGS.get(2), "-cp", System.getProperty("java.class.path"), Main.class.getName(), "recv", "pipe:fd=3"),
                 toChild)) {
            for (final String line : List.of("alpha", "beta")) {
                assertTrue(toChild.sender().offer(line.getBytes(java.nio.charset.StandardCharsets.UTF_8), Duration.ofSeconds(30)));
            }
            toChild.close();
            assertEquals(0, child.waitFor(Duration.ofSeconds(60)).exitCode());
            assertEquals(List.of("alpha", "beta"), java.nio.file.Files.readAllLines(out));
            assertFalse(child.isAlive());
        }
    }
}
