package dev.ipckit.fifo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.conformance.ChannelConformanceTest;

/**
 * The conformance kit on a FIFO opened without {@code nonblock}: both opens wait for each other.
 */
class FifoRendezvousConformanceTest extends ChannelConformanceTest {
    private static final AtomicInteger NAMES = new AtomicInteger();

    @TempDir
    Path dir;

    private Path path;

    @Override
    protected Pair openPair() {
        path = dir.resolve("rendezvous-" + NAMES.incrementAndGet() + ".fifo");
        final String uri = "fifo:" + path + "?timeout=30s";
        final CompletableFuture<Receiver> receiver = CompletableFuture.supplyAsync(() -> Channels.openReceiver(uri));
        final Sender sender = Channels.openSender(uri);
        try {
            return new Pair(sender, receiver.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        } catch (final InterruptedException | ExecutionException | TimeoutException e) {
            sender.close();
            throw new IllegalStateException("the receiver's open did not return once the sender had opened", e);
        }
    }

    @Override
    protected void cleanUp() {
        try {
            Files.deleteIfExists(path);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
