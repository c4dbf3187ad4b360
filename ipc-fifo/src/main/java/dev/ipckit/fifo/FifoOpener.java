package dev.ipckit.fifo;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.ipckit.ChannelException;
import dev.ipckit.ChannelInterruptedException;
import dev.ipckit.ChannelUri;
import dev.ipckit.posix.Errno;
import dev.ipckit.posix.FileStat;
import dev.ipckit.posix.NativeException;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixPipes;
import dev.ipckit.posix.PosixProcess;

/**
 * Creates or checks the FIFO at a path and opens one end of it, with the O_NDELAY behaviours or a rendezvous.
 *
 * <p>Every descriptor is opened with O_NONBLOCK (and O_NOFOLLOW, O_CLOEXEC), so no open can block: waiting
 * for the peer is done around non-blocking opens, bounded by {@code timeout=} and by interruption.
 * <ul>
 * <li>A sender retries {@code open(O_WRONLY|O_NONBLOCK)}, which fails with ENXIO while no reader exists,
 *     backing off from 50 us to 10 ms between attempts.</li>
 * <li>A receiver without {@code nonblock} holds its non-blocking descriptor and waits for the kernel's own
 *     rendezvous: a helper thread re-opens the same FIFO through {@code /proc/self/fd/N} without O_NONBLOCK,
 *     which returns as soon as a writer has opened it (a reader cannot otherwise see a writer that has not
 *     written yet). Meanwhile the opening thread watches its own descriptor for data or POLLHUP (a writer
 *     that came and went before the helper's open), the timeout and interruption, backing off as above.
 *     When it stops waiting it releases the helper by opening the FIFO for writing, which wakes a blocked
 *     reader's open at once.</li>
 * </ul>
 */
final class FifoOpener {
    private static final int READ_FLAGS = PosixFiles.O_RDONLY | PosixFiles.O_NONBLOCK | PosixFiles.O_NOFOLLOW
        | PosixFiles.O_CLOEXEC;
    private static final int WRITE_FLAGS = PosixFiles.O_WRONLY | PosixFiles.O_NONBLOCK | PosixFiles.O_NOFOLLOW
        | PosixFiles.O_CLOEXEC;
    private static final long CANCEL_JOIN_SECONDS = 10;

    private FifoOpener() {
    }

    static FramedSender openSender(final ChannelUri uri) {
        final StreamOptions options = StreamOptions.parse(uri, StreamOptions.FIFO);
        final String path = path(uri);
        ensureFifo(path, options);
        final int fd = openWriter(path, options);
        try {
            checkStillFifo(fd, path, options);
            SenderLock.take(fd, path, options.many());
            if (options.capacity() > 0) {
                PosixPipes.setPipeSize(fd, options.capacity());
            }
            return new FramedSender(uri.uri(), name(path), fd, options, true);
        } catch (final RuntimeException e) {
            PosixFiles.close(fd);
            throw e;
        }
    }

    static FramedReceiver openReceiver(final ChannelUri uri) {
        final StreamOptions options = StreamOptions.parse(uri, StreamOptions.FIFO);
        final String path = path(uri);
        ensureFifo(path, options);
        final int fd = openReader(path);
        try {
            checkStillFifo(fd, path, options);
            if (options.capacity() > 0) {
                PosixPipes.setPipeSize(fd, options.capacity());
            }
            SenderLock.announceReceiver(fd);
            if (!options.nonblock()) {
                awaitWriter(fd, path, options);
            }
            return new FramedReceiver(uri.uri(), name(path), fd, options, false);
        } catch (final RuntimeException e) {
            PosixFiles.close(fd);
            throw e;
        }
    }

    private static String path(final ChannelUri uri) {
        final String path = uri.path();
        if (path.isEmpty()) {
            throw new IllegalArgumentException("'" + uri.uri() + "' names no FIFO; give its path, e.g. fifo:/tmp/orders.fifo");
        }
        return path;
    }

    static String name(final String path) {
        return "the FIFO " + NativeException.quote(path);
    }

    /**
     * Makes a FIFO at {@code path} when nothing is there, with exactly the permission bits of {@code mode=}
     * (0600 by default) whatever the umask; accepts a FIFO of this user (or of another with
     * {@code allowOtherOwner=true}); refuses anything else, symbolic links included, before any descriptor is
     * opened for reading or writing.
     */
    static void ensureFifo(final String path, final StreamOptions options) {
        FileStat stat = PosixFiles.lstatIfExists(path);
        if (stat == null) {
            final int r = PosixPipes.tryMkfifo(path, options.mode());
            if (r == 0) {
                setMode(path, options.mode());
                return;
            }
            if (r != -Errno.EEXIST) {
                throw new NativeException("mkfifo", NativeException.quote(path) + ", " + octal(options.mode()), -r,
                    mkfifoSentence(-r, path));
            }
            stat = PosixFiles.lstat(path); // another process made it first
        }
        if (!stat.isFifo()) {
            throw refused(path, stat.typeName());
        }
        checkOwner(stat, path, options);
    }

    /**
     * mkfifo applies the umask, which may have taken bits away: set the mode exactly, through an O_PATH
     * descriptor (which neither opens the FIFO for reading or writing nor follows a link) of the FIFO just made.
     */
    private static void setMode(final String path, final int mode) {
        final int fd = PosixFiles.tryOpen(path, PosixFiles.O_PATH | PosixFiles.O_NOFOLLOW | PosixFiles.O_CLOEXEC, 0);
        if (fd < 0) {
            throw openFailed(path, PosixFiles.O_PATH | PosixFiles.O_NOFOLLOW | PosixFiles.O_CLOEXEC, -fd);
        }
        try {
            final FileStat stat = PosixFiles.fstat(fd);
            if (!stat.isFifo()) {
                throw refused(path, stat.typeName()); // replaced right after mkfifo
            }
            if (stat.uid() == PosixProcess.getuid() && stat.permissions() != mode) {
                PosixFiles.chmod("/proc/self/fd/" + fd, mode);
            }
        } finally {
            PosixFiles.close(fd);
        }
    }

    private static String octal(final int mode) {
        return String.format("%04o", mode);
    }

    private static void checkOwner(final FileStat stat, final String path, final StreamOptions options) {
        if (stat.uid() != PosixProcess.getuid() && !options.allowOtherOwner()) {
            throw new ChannelException("cannot use the FIFO " + NativeException.quote(path) + ": it belongs to uid "
                + stat.uid() + ", not to this process's uid " + PosixProcess.getuid() + ", and its owner decides who "
                + "else may read and write it; pass allowOtherOwner=true to use it anyway, or choose another path");
        }
    }

    private static String mkfifoSentence(final int errno, final String path) {
        return switch (errno) {
            case Errno.ENOENT -> "the directory of " + path + " does not exist; create it first";
            case Errno.EACCES -> "this user may not create files in the directory of " + path
                + "; choose a writable directory such as /tmp";
            default -> null;
        };
    }

    private static ChannelException refused(final String path, final String found) {
        return new ChannelException("cannot use " + NativeException.quote(path) + " as a FIFO: it is " + found
            + ", not a FIFO" + (found.equals("a symbolic link") ? " (links are not followed; give the FIFO's own path)" : "")
            + "; remove it or choose another path, and a FIFO is made there when nothing is");
    }

    private static void checkStillFifo(final int fd, final String path, final StreamOptions options) {
        final FileStat stat = PosixFiles.fstat(fd);
        if (!stat.isFifo()) {
            throw refused(path, stat.typeName()); // replaced between the check and the open
        }
        checkOwner(stat, path, options);
    }

    private static int openReader(final String path) {
        final int fd = PosixFiles.tryOpen(path, READ_FLAGS, 0);
        if (fd < 0) {
            throw openFailed(path, READ_FLAGS, -fd);
        }
        return fd;
    }

    private static ChannelException openFailed(final String path, final int flags, final int errno) {
        if (errno == Errno.ELOOP) {
            return refused(path, "a symbolic link");
        }
        return new NativeException("open", NativeException.quote(path) + ", " + PosixFiles.openFlags(flags), errno,
            errno == Errno.EACCES ? "this user may not open " + path + "; check its owner and mode (ls -l)" : null);
    }

    /**
     * Opens for writing. With {@code nonblock} and no timeout, a missing reader is ENXIO at once; otherwise
     * the open is retried until a reader appears, the timeout passes (ENXIO), or the thread is interrupted.
     */
    private static int openWriter(final String path, final StreamOptions options) {
        final long timeout = options.timeoutNanos();
        final boolean waits = !options.nonblock() || timeout >= 0;
        final long deadline = System.nanoTime() + (timeout < 0 ? 0 : Math.min(timeout, Long.MAX_VALUE / 2));
        int attempt = 0;
        while (true) {
            final int fd = PosixFiles.tryOpen(path, WRITE_FLAGS, 0);
            if (fd >= 0) {
                return fd;
            }
            final int errno = -fd;
            if (errno == Errno.EINTR) {
                continue;
            }
            if (errno != Errno.ENXIO) {
                throw openFailed(path, WRITE_FLAGS, errno);
            }
            if (!waits) {
                throw noReader(path, "no process has the FIFO open for reading; start the receiver first, or pass "
                    + "timeout= (e.g. timeout=5s) to wait for one");
            }
            if (Thread.currentThread().isInterrupted()) {
                throw interruptedOpen("sender", path, "reading");
            }
            final long remaining = timeout < 0 ? Long.MAX_VALUE : deadline - System.nanoTime();
            if (remaining <= 0) {
                throw noReader(path, "no process opened the FIFO for reading within " + StreamOptions.text(timeout)
                    + " (timeout=); start the receiver first, or raise timeout=");
            }
            Waits.backOff(attempt++, remaining);
        }
    }

    /**
     * The one behaviour of an interrupted open ({@link ChannelInterruptedException}): it stops waiting for the peer
     * at once, opens nothing, and the thread's interrupt status stays set.
     */
    private static ChannelInterruptedException interruptedOpen(final String role, final String path,
                                                               final String peerAccess) {
        return new ChannelInterruptedException("opening the " + role + " of " + name(path) + " was interrupted while "
            + "it waited for a process to open it for " + peerAccess + ": nothing was opened and the thread's "
            + "interrupt status is kept; clear it (Thread.interrupted()) to open again");
    }

    private static NativeException noReader(final String path, final String sentence) {
        return new NativeException("open", NativeException.quote(path) + ", " + PosixFiles.openFlags(WRITE_FLAGS),
            Errno.ENXIO, sentence);
    }

    /**
     * The receiver's rendezvous: returns once a writer has opened the FIFO (it may have written and left
     * already), or throws on timeout or interruption. A writer that opened and left before the helper
     * reached its open shows as data or POLLHUP on our own descriptor, so that is watched too.
     */
    private static void awaitWriter(final int fd, final String path, final StreamOptions options) {
        final String self = "/proc/self/fd/" + fd;
        final CompletableFuture<Integer> opened = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("ipckit-fifo-rendezvous-" + fd).start(() -> {
            try {
                // Blocks in the kernel until a writer is there or w_counter moves (a writer opened, or cancel()).
                final int blocking = PosixFiles.tryOpen(self, PosixFiles.O_RDONLY | PosixFiles.O_CLOEXEC, 0);
                if (blocking >= 0) {
                    PosixFiles.close(blocking);
                }
                opened.complete(blocking);
            } catch (final Throwable t) {
                opened.completeExceptionally(t);
            }
        });
        final long timeout = options.timeoutNanos();
        final long deadline = System.nanoTime() + (timeout < 0 ? 0 : Math.min(timeout, Long.MAX_VALUE / 2));
        int attempt = 0;
        while (!opened.isDone()) {
            if ((PosixPipes.poll(fd, PosixPipes.POLLIN, 0) & (PosixPipes.POLLIN | PosixPipes.POLLHUP)) != 0) {
                cancel(self, opened); // a writer came and wrote, or came and went
                return;
            }
            if (Thread.interrupted()) {
                try {
                    cancel(self, opened); // waits with parkNanos, which an interrupt status set would make spin
                } finally {
                    Thread.currentThread().interrupt();
                }
                throw interruptedOpen("receiver", path, "writing");
            }
            final long remaining = timeout < 0 ? Long.MAX_VALUE : deadline - System.nanoTime();
            if (remaining <= 0) {
                cancel(self, opened);
                throw new ChannelException("no process opened " + name(path) + " for writing within "
                    + StreamOptions.text(timeout) + " (timeout=); start the sender first, raise timeout=, or pass "
                    + "nonblock=true to open the receiver without waiting");
            }
            Waits.backOff(attempt++, remaining);
        }
        if (opened.state() == Future.State.FAILED) {
            throw new ChannelException("waiting for a writer on " + name(path) + " failed: " + opened.exceptionNow(),
                opened.exceptionNow());
        }
        final int result = opened.resultNow();
        if (result < 0) {
            throw new NativeException("open", NativeException.quote(self) + ", O_RDONLY|O_CLOEXEC", -result,
                "re-opening " + path + " to wait for a writer failed");
        }
    }

    /**
     * Releases the helper blocked in open by opening the FIFO for writing once (our own read descriptor
     * guarantees a reader, so this cannot fail with ENXIO), then waits for the helper to finish. The kernel
     * releases only opens already waiting, so the nudge is repeated until the helper, which may not have
     * reached its open yet, has returned.
     */
    private static void cancel(final String self, final CompletableFuture<Integer> opened) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CANCEL_JOIN_SECONDS);
        int attempt = 0;
        while (!opened.isDone()) {
            final int writer = PosixFiles.tryOpen(self, PosixFiles.O_WRONLY | PosixFiles.O_NONBLOCK | PosixFiles.O_CLOEXEC, 0);
            if (writer >= 0) {
                PosixFiles.close(writer);
            }
            final long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new IllegalStateException("the thread waiting for a writer on " + self + " did not end");
            }
            Waits.backOff(attempt++, remaining);
        }
    }
}
