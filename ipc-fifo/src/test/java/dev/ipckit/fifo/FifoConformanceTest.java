package dev.ipckit.fifo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.conformance.ChannelConformanceTest;

/**
 * The conformance kit on a FIFO opened with the O_NDELAY behaviours: the receiver opens first, at once.
 */
class FifoConformanceTest extends ChannelConformanceTest {
    private static final AtomicInteger NAMES = new AtomicInteger();

    @TempDir
    Path dir;

    private Path path;

    @Override
    protected Pair openPair() {
        path = dir.resolve("conformance-" + NAMES.incrementAndGet() + ".fifo");
        final String uri = "fifo:" + path + "?nonblock=true";
        final Receiver receiver = Channels.openReceiver(uri + receiverOptions());
        final Sender sender = Channels.openSender(uri);
        return new Pair(sender, receiver);
    }

    /**
     * @return options the receiver adds to the URI, starting with {@code &}; none here.
     */
    protected String receiverOptions() {
        return "";
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
