package dev.ipckit.bench.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.bench.Cleanup;
import dev.ipckit.fifo.Pipes;
import dev.ipckit.posix.PosixPipes;

/**
 * Both ends of one channel in this process, for benchmarks where two threads meet:
 * <ul>
 *   <li>{@code mmap}: {@code mmap:/dev/shm/ipckit-jmh-PID-N?capacity=4m&wait=spin&unlinkOnClose=true};</li>
 *   <li>{@code fifo}: a FIFO in a fresh temporary directory, {@code ?nonblock=true&capacity=1m};</li>
 *   <li>{@code pipe}: {@link Pipes#open(String)} with {@code capacity=1m}.</li>
 * </ul>
 * Messages up to 64 KiB fit every one of them whole. {@link #close()} removes every file it made.
 */
final class InProcessChannel implements AutoCloseable {
    /** The longest message the benchmarks send. */
    static final String MAX_MESSAGE = "maxMessage=64k";
    private static final AtomicInteger CHANNELS = new AtomicInteger();

    private final Sender sender;
    private final Receiver receiver;
    private final Path file;
    private final Path directory;

    private InProcessChannel(final Sender sender, final Receiver receiver, final Path file, final Path directory) {
        this.sender = sender;
        this.receiver = receiver;
        this.file = file;
        this.directory = directory;
        Cleanup.register(atExit);
    }

    /** If the fork exits without a tear-down (a benchmark that threw): remove the files, leave the ends open. */
    private final AutoCloseable atExit = this::removeFiles;

    /**
     * @param transport {@code mmap}, {@code fifo} or {@code pipe}.
     * @return both ends, open.
     * @throws IllegalArgumentException for another transport.
     */
    static InProcessChannel open(final String transport) {
        switch (transport) {
            case "mmap" -> {
                final Path file = Path.of("/dev/shm", "ipckit-jmh-" + ProcessHandle.current().pid() + "-"
                    + CHANNELS.incrementAndGet());
                final String uri = "mmap:" + file + "?capacity=4m&wait=spin&unlinkOnClose=true&" + MAX_MESSAGE;
                final Receiver receiver = Channels.openReceiver(uri);
                return new InProcessChannel(Channels.openSender(uri), receiver, file, null);
            }
            case "fifo" -> {
                try {
                    final Path directory = Files.createTempDirectory("ipckit-jmh-");
                    final Path fifo = directory.resolve("t.fifo");
                    PosixPipes.mkfifo(fifo.toString(), 0600);
                    final String uri = "fifo:" + fifo + "?nonblock=true&capacity=1m&" + MAX_MESSAGE;
                    final Receiver receiver = Channels.openReceiver(uri);
                    return new InProcessChannel(Channels.openSender(uri), receiver, fifo, directory);
                } catch (final IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            case "pipe" -> {
                final Pipes.Pair pair = Pipes.open("capacity=1m&" + MAX_MESSAGE);
                return new InProcessChannel(pair.sender(), pair.receiver(), null, null);
            }
            default -> throw new IllegalArgumentException("transport=" + transport + " is not one of mmap, fifo, pipe");
        }
    }

    Sender sender() {
        return sender;
    }

    Receiver receiver() {
        return receiver;
    }

    @Override
    public void close() {
        Cleanup.done(atExit);
        try {
            sender.close();
            receiver.close();
        } finally {
            removeFiles();
        }
    }

    private void removeFiles() {
        try {
            if (file != null) {
                Files.deleteIfExists(file);
            }
            if (directory != null) {
                Files.deleteIfExists(directory);
            }
        } catch (final IOException e) {
            System.err.println("could not remove " + file + ": " + e.getMessage());
        }
    }
}
