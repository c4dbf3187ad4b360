package dev.ipckit.aeron;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.aeron.Aeron;
import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import io.aeron.RethrowingErrorHandler;
import io.aeron.driver.MediaDriver;
import io.aeron.exceptions.AeronException;
import io.aeron.exceptions.DriverTimeoutException;

import dev.ipckit.ChannelException;
import dev.ipckit.ChannelInterruptedException;

/**
 * The connection of this process's ends to a media driver: one Aeron client, and for {@code driver=embedded} the
 * driver itself, shared by every end of this process with the same driver settings ({@code peerTimeout},
 * {@code termLength}, {@code mtu}; or the same {@code aeron.dir} for an external driver) and counted: the first end
 * to open starts it, the last to close stops it. One driver per process is what Aeron recommends, and a process that
 * dies takes its embedded driver with it, so its peers see it gone.
 *
 * <p>An embedded driver is configured by {@link EmbeddedDriver}. Its files lie in a directory of its own,
 * {@code /dev/shm/ipckit-aeron-PID-RANDOM} (mode 0700, made with that mode, so no other user can map its term
 * buffers), which the last close removes. A process killed with SIGKILL leaves it behind; the pid in its name says
 * whose it was, and the next embedded driver of the same user to start removes it.
 */
final class AeronSession {
    /** Where embedded drivers' private directories go, when it exists. */
    static final Path SHM = Path.of("/dev/shm");
    /** The name every embedded driver's private directory starts with, followed by the owning pid and a dash. */
    static final String DIRECTORY_PREFIX = "ipckit-aeron-";

    /** The sessions in use, by {@link #key(AeronOptions)}; guarded by the class. */
    private static final Map<String, AeronSession> SHARED = new HashMap<>();

    private final String key;
    private final Path privateDirectory;
    private final MediaDriver driver;
    private final Aeron aeron;
    /** Guarded by the class. */
    private int references;
    /** The endpoint and stream of every receiver of this session; guarded by the class. */
    private final java.util.Set<String> receivers = new java.util.HashSet<>();
    private volatile Throwable fatalError;
    private volatile Throwable lastError;

    private AeronSession(final String key, final Path privateDirectory, final MediaDriver driver, final Aeron aeron,
                         final Holder errors) {
        this.key = key;
        this.privateDirectory = privateDirectory;
        this.driver = driver;
        this.aeron = aeron;
        errors.session = this;
        if (errors.early != null) {
            errors.onError(errors.early);
        }
    }

    /** Routes the client's and the driver's errors to the session, including any raised while it is being built. */
    private static final class Holder {
        volatile AeronSession session;
        volatile Throwable early;

        void onError(final Throwable error) {
            final AeronSession owner = session;
            if (owner == null) {
                early = error;
                return;
            }
            owner.lastError = error;
            // A channel's own trouble (an endpoint that cannot be resolved or bound) is an error or a warning and
            // reaches its end through the call that made it; a fatal one (the driver gone) ends every end.
            if (owner.fatalError == null && (!(error instanceof AeronException aeronError)
                || aeronError.category() == AeronException.Category.FATAL)) {
                owner.fatalError = error;
            }
        }
    }

    private static String key(final AeronOptions options) {
        return options.external() ? "external " + options.aeronDir() : "embedded peerTimeout="
            + options.peerTimeout().toNanos() + "ns termLength=" + options.termLength() + " mtu=" + options.mtu();
    }

    /**
     * Takes a share of the session for these options, starting the embedded driver (when asked for) and connecting
     * the client if this process has none yet. Each call is matched by one {@link #release()}.
     *
     * @param uri the channel's URI, for messages.
     * @param options the parsed options.
     * @return the session.
     * @throws ChannelException with a sentence when the driver cannot start or cannot be reached.
     * @throws ChannelInterruptedException when the thread is interrupted.
     */
    static AeronSession acquire(final String uri, final AeronOptions options) {
        ChannelInterruptedException.checkInterrupt("open", uri);
        final String key = key(options);
        synchronized (AeronSession.class) {
            AeronSession session = SHARED.get(key);
            if (session == null || session.fatalError != null || session.aeron.isClosed()) {
                session = start(uri, options, key);
                SHARED.put(key, session);
            }
            session.references++;
            return session;
        }
    }

    private static AeronSession start(final String uri, final AeronOptions options, final String key) {
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
                removeAbandonedDirectories(uri);
                directory = createPrivateDirectory(uri);
                driver = MediaDriver.launch(EmbeddedDriver.context(directory.resolve("driver"), options,
                    errors::onError));
                aeronDir = driver.aeronDirectoryName();
            }
            final Aeron aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(aeronDir)
                .threadFactory(EmbeddedDriver.daemon("ipckit-aeron-client"))
                .errorHandler(errors::onError)
                .subscriberErrorHandler(RethrowingErrorHandler.INSTANCE)); // a handler's exception leaves poll
            return new AeronSession(key, directory, driver, aeron, errors);
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

    /**
     * Removes the embedded-driver directories of this user whose process is gone (killed with SIGKILL, so it could
     * not remove its own), as a new embedded driver starts: the pid in a directory's name says whose it was, and the
     * directory of a live process is never touched.
     */
    static void removeAbandonedDirectories(final String uri) {
        final Path base = Files.isDirectory(SHM) ? SHM : Path.of(System.getProperty("java.io.tmpdir"));
        final List<Path> abandoned;
        try (Stream<Path> entries = Files.list(base)) {
            abandoned = entries.filter(AeronSession::isAbandoned).toList();
        } catch (final IOException e) {
            throw new ChannelException("cannot list " + base + " for '" + uri + "': " + e.getMessage(), e);
        }
        for (final Path directory : abandoned) {
            try {
                deleteTree(directory);
            } catch (final UncheckedIOException e) {
                throw new ChannelException("cannot remove " + directory + ", the media driver directory of a process "
                    + "that is gone, for '" + uri + "': " + e.getCause().getMessage() + "; remove it by hand", e);
            }
        }
    }

    private static boolean isAbandoned(final Path directory) {
        final String name = directory.getFileName().toString();
        if (!name.startsWith(DIRECTORY_PREFIX)) {
            return false;
        }
        final int dash = name.indexOf('-', DIRECTORY_PREFIX.length());
        final long pid;
        try {
            pid = Long.parseLong(name.substring(DIRECTORY_PREFIX.length(), dash < 0 ? name.length() : dash));
        } catch (final NumberFormatException e) {
            return false; // not a name this class makes
        }
        try {
            return !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                && Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS) && Files.isWritable(directory)
                && Files.getOwner(directory, LinkOption.NOFOLLOW_LINKS).getName()
                    .equals(System.getProperty("user.name"));
        } catch (final IOException e) {
            return false; // gone meanwhile, or not ours to judge
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
     * Fails when the client has lost its driver (the driver died or stopped answering) or met another fatal error.
     *
     * @param call what was going on, for the message.
     * @param uri the end's URI, for the message.
     * @throws ChannelException naming the driver's directory.
     */
    void checkHealthy(final String call, final String uri) {
        final Throwable error = fatalError;
        if (error != null || aeron.isClosed()) {
            throw new ChannelException(call + " on '" + uri + "' failed: the Aeron client "
                + (error == null ? "was closed" : "reported " + error) + " (media driver in " + aeronDirectory()
                + "); close this end and open a new one" + (driver == null ? " once the driver runs again" : ""),
                error);
        }
    }

    /**
     * @return the last error the client or the driver reported, for a sentence, or null.
     */
    Throwable lastError() {
        return lastError;
    }

    /**
     * Claims an endpoint and stream for a receiver: in one driver a second subscription would get a copy of every
     * message (Aeron's fan-out), where a second process's receiver is refused the port. Both are refused.
     *
     * @param uri the receiver's URI, for the message.
     * @param options its options.
     * @throws ChannelException when this process has a receiver there already.
     */
    void claimReceiver(final String uri, final AeronOptions options) {
        synchronized (AeronSession.class) {
            if (!receivers.add(options.endpoint() + " " + options.stream())) {
                throw new ChannelException("this process already has a receiver on endpoint=" + options.endpoint()
                    + " stream=" + options.stream() + "; '" + uri + "' cannot take its port (one receiver per "
                    + "channel: close the other, or give this one another port)");
            }
        }
    }

    /**
     * Gives back what {@link #claimReceiver} took.
     *
     * @param options the receiver's options.
     */
    void unclaimReceiver(final AeronOptions options) {
        synchronized (AeronSession.class) {
            receivers.remove(options.endpoint() + " " + options.stream());
        }
    }

    /**
     * Gives back a share; the last one closes the client, stops an embedded driver and removes its directory.
     */
    void release() {
        synchronized (AeronSession.class) {
            if (--references > 0) {
                return;
            }
            SHARED.remove(key, this);
        }
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
                public FileVisitResult visitFileFailed(final Path file, final IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE; // another process removed it first
                    }
                    throw e;
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
