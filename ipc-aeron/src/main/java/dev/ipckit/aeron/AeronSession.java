package dev.ipckit.aeron;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

import io.aeron.Aeron;
import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.exceptions.DriverTimeoutException;

import dev.ipckit.ChannelException;
import dev.ipckit.ChannelInterruptedException;

/**
 * One end's connection to a media driver: the Aeron client, and for {@code driver=embedded} the driver itself.
 *
 * <p>An embedded driver runs in this process, one per end (so that a process that dies takes its driver with it
 * and its peer sees it gone), configured by {@link EmbeddedDriver}. Its files lie in a directory of this end's own,
 * {@code /dev/shm/ipckit-aeron-PID-RANDOM} (mode 0700, made with that mode, so no other user can map its term
 * buffers), which close removes. A process killed with SIGKILL leaves it behind; the pid in its name says
 * whose it was.
 */
final class AeronSession implements AutoCloseable {
    /** Where embedded drivers' private directories go, when it exists. */
    static final Path SHM = Path.of("/dev/shm");
    /** The name every embedded driver's private directory starts with, followed by the owning pid and a dash. */
    static final String DIRECTORY_PREFIX = "ipckit-aeron-";

    private final String uri;
    private final Path privateDirectory;
    private final MediaDriver driver;
    private final Aeron aeron;
    private volatile Throwable clientError;

    private AeronSession(final String uri, final Path privateDirectory, final MediaDriver driver, final Aeron aeron,
                         final Holder errors) {
        this.uri = uri;
        this.privateDirectory = privateDirectory;
        this.driver = driver;
        this.aeron = aeron;
        errors.session = this;
        if (errors.early != null) {
            clientError = errors.early;
        }
    }

    /** Routes the client's errors to the session, including any raised while it is being built. */
    private static final class Holder {
        volatile AeronSession session;
        volatile Throwable early;

        void onError(final Throwable error) {
            final AeronSession owner = session;
            if (owner == null) {
                early = error;
            } else if (owner.clientError == null) {
                owner.clientError = error;
            }
        }
    }

    /**
     * Starts the embedded driver (when asked for) and connects the client.
     *
     * @param uri the channel's URI, for messages.
     * @param options the parsed options.
     * @return the session.
     * @throws ChannelException with a sentence when the driver cannot start or cannot be reached.
     */
    static AeronSession open(final String uri, final AeronOptions options) {
        ChannelInterruptedException.checkInterrupt("open", uri);
        final Holder errors = new Holder();
        Path directory = null;
        MediaDriver driver = null;
        try {
            final String aeronDir;
            if (options.external()) {
                aeronDir = options.aeronDir();
                if (!CommonContext.newCncFile(aeronDir).exists()) {
                    throw new ChannelException("no media driver runs in aeron.dir=" + aeronDir + " for '" + uri
                        + "' (there is no " + CncFileDescriptor.CNC_FILE + " in it); start one there (java "
                        + "io.aeron.driver.MediaDriver, or aeronmd), name its directory with aeron.dir=, or leave "
                        + "driver=external out to start an embedded one");
                }
            } else {
                directory = createPrivateDirectory(uri);
                driver = MediaDriver.launch(EmbeddedDriver.context(directory.resolve("driver"), options, errors::onError));
                aeronDir = driver.aeronDirectoryName();
            }
            final Aeron aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(aeronDir)
                .threadFactory(EmbeddedDriver.daemon("ipckit-aeron-client"))
                .errorHandler(errors::onError)
                .subscriberErrorHandler(errors::onError));
            return new AeronSession(uri, directory, driver, aeron, errors);
        } catch (final DriverTimeoutException e) {
            stopDriver(driver, directory);
            throw new ChannelException("no media driver answers in " + options.aeronDir() + " for '" + uri + "' ("
                + e.getMessage() + "); start one there (java io.aeron.driver.MediaDriver, or aeronmd), name its "
                + "directory with aeron.dir=, or leave driver=external out to start an embedded one", e);
        } catch (final RuntimeException e) {
            stopDriver(driver, directory);
            if (e instanceof ChannelException) {
                throw e;
            }
            if (Thread.currentThread().isInterrupted()) { // Aeron's file channels close on an interrupt
                throw ChannelInterruptedException.interrupted("open", uri);
            }
            throw new ChannelException("cannot start Aeron for '" + uri + "': " + e + (options.external() ? ""
                : "; is /dev/shm full or not writable? (df -h /dev/shm)"), e);
        }
    }

    private static Path createPrivateDirectory(final String uri) {
        final Path base = Files.isDirectory(SHM) ? SHM : Path.of(System.getProperty("java.io.tmpdir"));
        try {
            return Files.createTempDirectory(base, DIRECTORY_PREFIX + ProcessHandle.current().pid() + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (final IOException e) {
            throw new ChannelException("cannot make the embedded media driver's directory in " + base + " for '" + uri
                + "': " + e + "; check that " + base + " is writable and not full (df -h " + base + ")", e);
        }
    }

    /**
     * @return the Aeron client.
     */
    Aeron aeron() {
        return aeron;
    }

    /**
     * @return the directory of the driver this end uses.
     */
    String aeronDirectory() {
        return aeron.context().aeronDirectoryName();
    }

    /**
     * @return the private directory of the embedded driver, or null for an external one.
     */
    Path privateDirectory() {
        return privateDirectory;
    }

    /**
     * Fails when the client has lost its driver (the driver died or stopped answering) or reported another error.
     *
     * @param call what was going on, for the message.
     * @throws ChannelException naming the driver's directory.
     */
    void checkHealthy(final String call) {
        final Throwable error = clientError;
        if (error != null || aeron.isClosed()) {
            throw new ChannelException(call + " on '" + uri + "' failed: the Aeron client "
                + (error == null ? "was closed" : "reported " + error) + " (media driver in " + aeronDirectory()
                + "); close this end and open a new one" + (driver == null ? " once the driver runs again" : ""),
                error);
        }
    }

    /**
     * Closes the client, stops the embedded driver and removes its directory.
     */
    @Override
    public void close() {
        try {
            aeron.close();
        } finally {
            stopDriver(driver, privateDirectory);
        }
    }

    private static void stopDriver(final MediaDriver driver, final Path directory) {
        try {
            if (driver != null) {
                driver.close();
            }
        } finally {
            if (directory != null) {
                deleteTree(directory);
            }
        }
    }

    /**
     * Removes a directory and everything in it.
     *
     * @param directory the directory.
     * @throws UncheckedIOException when something in it cannot be removed.
     */
    static void deleteTree(final Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try {
            Files.walkFileTree(directory, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(final Path dir, final IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot remove the embedded media driver's directory " + directory
                + ": " + e.getMessage(), e);
        }
    }
}
