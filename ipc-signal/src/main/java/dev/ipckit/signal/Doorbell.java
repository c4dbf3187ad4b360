package dev.ipckit.signal;

import static dev.ipckit.signal.DoorbellDescriptor.FILE_LENGTH;
import static dev.ipckit.signal.DoorbellDescriptor.IDENTITY_SEQUENCE_OFFSET;
import static dev.ipckit.signal.DoorbellDescriptor.LAYOUT_VERSION;
import static dev.ipckit.signal.DoorbellDescriptor.LAYOUT_VERSION_OFFSET;
import static dev.ipckit.signal.DoorbellDescriptor.MAGIC;
import static dev.ipckit.signal.DoorbellDescriptor.MAGIC_OFFSET;
import static dev.ipckit.signal.DoorbellDescriptor.RINGER_LOCK_OFFSET;
import static dev.ipckit.signal.DoorbellDescriptor.RINGER_PID_OFFSET;
import static dev.ipckit.signal.DoorbellDescriptor.RINGS_OFFSET;
import static dev.ipckit.signal.DoorbellDescriptor.SIGNAL_OFFSET;
import static dev.ipckit.signal.DoorbellDescriptor.WAITER_LOCK_OFFSET;
import static dev.ipckit.signal.DoorbellDescriptor.WAITER_PID_OFFSET;
import static dev.ipckit.signal.DoorbellDescriptor.WAITER_TID_OFFSET;
import static dev.ipckit.signal.DoorbellDescriptor.WAITING_OFFSET;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import dev.ipckit.ChannelClosedException;
import dev.ipckit.ChannelInterruptedException;
import dev.ipckit.PeerGoneException;
import dev.ipckit.posix.Errno;
import dev.ipckit.posix.FileStat;
import dev.ipckit.posix.NativeException;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixMemory;
import dev.ipckit.posix.PosixProcess;
import dev.ipckit.posix.PosixSignals;
import dev.ipckit.spi.SharedFile;
import dev.ipckit.spi.TemporaryFile;
import dev.ipckit.spi.WaitingWord;

/**
 * A doorbell between two processes that only need "wake up": one process waits, another rings. No messages,
 * no ring buffer; just a small shared file ({@link DoorbellDescriptor}) and a thread-directed signal.
 *
 * <pre>
 * // waiting process                                  // ringing process
 * try (Doorbell bell = Doorbell.create(path)) {        try (Doorbell bell = Doorbell.open(path)) {
 *     while (running) {                                    publishWork();
 *         if (bell.await(Duration.ofSeconds(1))) {         bell.ring();
 *             takeWork();                              }
 *         }
 *     }
 * }
 * </pre>
 *
 * <h2>Semantics</h2>
 * {@link #await} returns true as soon as the bell has been rung since the previous {@code await} returned true
 * (rings coalesce, like a binary semaphore), false when the timeout passes first. {@link #ring} never blocks.
 * Memory written before {@code ring()} is visible to the thread whose {@code await} returns true for it.
 *
 * <h2>Protocol</h2>
 * The waiting-word protocol of the mmap channel, with a ring counter in place of the ring buffer:
 * <ol>
 *   <li>the waiter blocks the signal in its thread, publishes its tid, sets the waiting word (a volatile store:
 *       store, then full fence), reads the ring counter once more, and only then sleeps in sigtimedwait;</li>
 *   <li>the ringer adds one to the ring counter (an atomic add: a full fence), then reads the waiting word; if it
 *       is set, it clears it with a compare-and-set and, if that succeeded, sends the signal with tgkill.</li>
 * </ol>
 * Each side stores, fences, then loads what the other stores, so at least one of them sees the other: either
 * the waiter sees the new count and does not sleep, or the ringer sees the waiting word and signals. A signal
 * that arrives before the waiter sleeps stays pending (the thread blocks it) and ends the sleep at once. After
 * every wake-up that did not bring a new ring (a wake-up sent for an earlier sleep, or a stranger's signal),
 * the waiter sets the waiting word again and re-checks before it sleeps again, because a ringer may have cleared
 * the word for that earlier sleep. Signals are taken only from the ringing process and from this process.
 *
 * <h2>Roles</h2>
 * The process that {@link #create creates} the file waits (one thread at a time) and may also ring, e.g. from
 * another thread to end a wait early; one other process {@link #open opens} it and rings (from any number of
 * its threads). Each role holds an OFD lock on its own byte of the file, so {@link #isPeerAlive()} is a lock
 * test and a second ringer or waiter is refused while the first lives. The creator removes the file on close.
 * A waiter whose process died leaves its file behind; the next {@code create} on that path adopts it, and
 * {@link #removeIfAbandoned} ({@code ipckit gc}) removes it. A ring signals only the live waiter (see {@link #ring()}),
 * and a waiting thread that is interrupted returns with {@link ChannelInterruptedException}.
 *
 * <p>Waiting needs a platform thread. Strays of the signal are harmless, see {@link WakeSignal}.
 */
public final class Doorbell implements AutoCloseable {
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final VarHandle LONG = JAVA_LONG.varHandle();
    private static final VarHandle AWAITING;
    private static final long CLOSE_TIMEOUT_NANOS = 5_000_000_000L;
    /** The longest single sigtimedwait of {@link #awaitNanos}, so that an interrupt is noticed within it. */
    static final long SLEEP_SLICE_NANOS = 50_000_000L;

    static {
        try {
            AWAITING = MethodHandles.lookup().findVarHandle(Doorbell.class, "awaiting", Thread.class);
        } catch (final ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * How a doorbell is created: which signal rings it and how long {@link #await} spins before it sleeps.
     * Each setter checks its value at once and changes nothing when it is bad.
     */
    public static final class Context {
        private int signal = WakeSignal.DEFAULT;
        private long spinNanos;

        /**
         * A context with the defaults: {@link WakeSignal#DEFAULT_NAME}, no spinning.
         */
        public Context() {
        }

        /**
         * @param name the signal, e.g. {@code SIGRTMIN+4} or {@code SIGUSR1}.
         * @return this context.
         * @throws IllegalArgumentException {@code signal=...} when unknown or refused, with the reason.
         */
        public Context signal(final String name) {
            this.signal = WakeSignal.parse(name);
            return this;
        }

        /**
         * @param signal the signal number.
         * @return this context.
         * @throws IllegalArgumentException {@code signal=...} when refused, with the reason.
         */
        public Context signal(final int signal) {
            this.signal = WakeSignal.require(signal);
            return this;
        }

        /**
         * @param spin how long {@code await} re-reads the ring counter before it sleeps; zero (the default)
         *     sleeps at once, which costs a signal per wake-up but no CPU.
         * @return this context.
         * @throws IllegalArgumentException {@code spin=...} when negative.
         */
        public Context spin(final Duration spin) {
            if (spin.isNegative()) {
                throw new IllegalArgumentException("spin=" + spin + " is negative");
            }
            this.spinNanos = spin.toNanos();
            return this;
        }

        /**
         * @return the signal number.
         */
        public int signal() {
            return signal;
        }

        /**
         * @return the spin before sleeping, in nanoseconds.
         */
        public long spinNanos() {
            return spinNanos;
        }
    }

    private final Path path;
    private final boolean waiter;
    private final int fd;
    private final Arena arena;
    private final MemorySegment file;
    private final int pid = PosixProcess.getpid();
    private final int signal;
    private final long spinNanos;

    private volatile boolean closed;
    @SuppressWarnings("unused") // through AWAITING
    private volatile Thread awaiting;
    private final AtomicLong signalsSent = new AtomicLong();
    private long seen;
    private long sleeps;
    private long missedWakeups;
    private long strangersIgnored;
    private Runnable beforeSleep;

    private Doorbell(final Path path, final boolean waiter, final int fd, final Arena arena, final MemorySegment file,
                     final int signal, final long spinNanos) {
        this.path = path;
        this.waiter = waiter;
        this.fd = fd;
        this.arena = arena;
        this.file = file;
        this.signal = signal;
        this.spinNanos = spinNanos;
        this.seen = lvRings();
    }

    /**
     * Creates a doorbell that this process waits on, with the default signal and no spinning.
     *
     * @param path the file to create, e.g. in /dev/shm.
     * @return the waiting end.
     */
    public static Doorbell create(final Path path) {
        return create(path, new Context());
    }

    /**
     * Creates a doorbell that this process waits on. The file is built under a temporary name and appears
     * complete (renameat2 with RENAME_NOREPLACE). When a file is already there: if its waiter is dead, this
     * process adopts it; if its waiter lives, the call fails.
     *
     * @param path the file to create, e.g. in /dev/shm.
     * @param context the signal and the spin.
     * @return the waiting end.
     * @throws IllegalStateException when a live process already waits on {@code path}, or when the file there
     *     is not a doorbell of this version.
     */
    public static Doorbell create(final Path path, final Context context) {
        final int signal = context.signal();
        WakeSignal.ignoreStrays(signal);
        final String target = path.toString();
        final TemporaryFile temporary = TemporaryFile.create(target, 0600);
        final int fd = temporary.fd();
        Arena arena = null;
        boolean published = false;
        try {
            PosixFiles.ftruncate(fd, FILE_LENGTH);
            lockRole(fd, WAITER_LOCK_OFFSET, target, "waits on");
            arena = Arena.ofShared();
            final MemorySegment file = map(fd, arena);
            file.set(JAVA_LONG, MAGIC_OFFSET, MAGIC);
            file.set(JAVA_INT, SIGNAL_OFFSET, signal);
            file.set(JAVA_INT, WAITER_PID_OFFSET, PosixProcess.getpid());
            INT.setRelease(file, (long) LAYOUT_VERSION_OFFSET, LAYOUT_VERSION); // last: the file is complete
            if (!temporary.publish()) {
                arena.close();
                arena = null;
                return adopt(path, signal, context.spinNanos());
            }
            published = true;
            return new Doorbell(path, true, fd, arena, file, signal, context.spinNanos());
        } finally {
            if (!published) {
                if (arena != null) {
                    arena.close();
                }
                temporary.discard();
            }
        }
    }

    private static Doorbell adopt(final Path path, final int signal, final long spinNanos) {
        final String target = path.toString();
        final int fd = openExisting(target);
        Arena arena = null;
        try {
            final MemorySegment file;
            arena = Arena.ofShared();
            file = map(fd, arena);
            DoorbellDescriptor.checkVersion(file, target);
            if (held(fd, WAITER_LOCK_OFFSET)) {
                lockRole(fd, WAITER_LOCK_OFFSET, target, "waits on"); // fails, naming the live waiter's role
            }
            // The previous waiter is dead: clear what it left for ringers (its waiting word, its thread), bump the
            // identity sequence, and only then take the waiter lock, so that a ringer that finds the lock held never
            // signals the dead waiter's ids (see ring()). This waiter publishes its tid once its signal is blocked.
            WaitingWord.publishAwake(file, WAITING_OFFSET);
            INT.setVolatile(file, (long) WAITER_TID_OFFSET, 0);
            INT.setVolatile(file, (long) SIGNAL_OFFSET, signal);
            INT.setVolatile(file, (long) WAITER_PID_OFFSET, PosixProcess.getpid());
            INT.getAndAdd(file, (long) IDENTITY_SEQUENCE_OFFSET, 1);
            lockRole(fd, WAITER_LOCK_OFFSET, target, "waits on");
            final Doorbell bell = new Doorbell(path, true, fd, arena, file, signal, spinNanos);
            arena = null;
            return bell;
        } finally {
            if (arena != null) {
                arena.close();
                PosixFiles.close(fd);
            }
        }
    }

    /**
     * Opens a doorbell that another process created, to ring it. Only one process rings a doorbell at a time.
     *
     * @param path the doorbell file.
     * @return the ringing end.
     * @throws NativeException ENOENT when there is no such file (the waiter creates it).
     * @throws IllegalStateException when another live process already rings it, or when the file is not a
     *     doorbell of this version.
     */
    public static Doorbell open(final Path path) {
        final String target = path.toString();
        final int fd = openExisting(target);
        Arena arena = null;
        try {
            arena = Arena.ofShared();
            final MemorySegment file = map(fd, arena);
            DoorbellDescriptor.checkVersion(file, target);
            if (!SharedFile.tryLock(fd, RINGER_LOCK_OFFSET, PosixMemory.F_WRLCK, target)) {
                throw new IllegalStateException("doorbell " + target + " already has a ringing process (pid "
                    + file.get(JAVA_INT, RINGER_PID_OFFSET) + "); a doorbell has one ringing process at a time");
            }
            INT.setVolatile(file, (long) RINGER_PID_OFFSET, PosixProcess.getpid());
            final Doorbell bell = new Doorbell(path, false, fd, arena, file, 0, 0);
            arena = null;
            return bell;
        } finally {
            if (arena != null) {
                arena.close();
                PosixFiles.close(fd);
            }
        }
    }

    /**
     * What {@link #probe} finds at a path.
     *
     * @param waiterAlive whether a process holds the waiter lock.
     * @param ringerAlive whether a process holds the ringer lock.
     * @param waiterPid the last waiter's pid, as the file says.
     */
    public record Holders(boolean waiterAlive, boolean ringerAlive, int waiterPid) {
        /**
         * @return whether no process holds the doorbell: a leftover of a waiter that died.
         */
        public boolean abandoned() {
            return !waiterAlive && !ringerAlive;
        }
    }

    /**
     * Looks at a file without taking a role: for {@code ipckit gc}.
     *
     * @param path a file.
     * @return who holds it, or null when it is not a doorbell file of this user and version.
     */
    public static Holders probe(final Path path) {
        final int fd;
        try {
            fd = openExisting(path.toString());
        } catch (final RuntimeException notOurs) {
            return null;
        }
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment file = map(fd, arena);
            DoorbellDescriptor.checkVersion(file, path.toString());
            return new Holders(held(fd, WAITER_LOCK_OFFSET), held(fd, RINGER_LOCK_OFFSET),
                (int) INT.getVolatile(file, (long) WAITER_PID_OFFSET));
        } catch (final IllegalStateException notADoorbell) {
            return null;
        } finally {
            PosixFiles.close(fd);
        }
    }

    /**
     * Removes a doorbell file that no process holds (its waiter died; a waiter that closes removes its own). It
     * takes the waiter lock itself while it checks the ringer lock and unlinks, so that no process adopts the file
     * meanwhile; a {@link #create} that races it fails as if a live waiter held the file.
     *
     * @param path the doorbell file.
     * @return true when removed; false when a process holds it, or it is not a doorbell file of this user.
     */
    public static boolean removeIfAbandoned(final Path path) {
        final String target = path.toString();
        final int fd;
        try {
            fd = openExisting(target);
        } catch (final RuntimeException notOurs) {
            return false;
        }
        try (Arena arena = Arena.ofConfined()) {
            DoorbellDescriptor.checkVersion(map(fd, arena), target);
            if (!SharedFile.tryLock(fd, WAITER_LOCK_OFFSET, PosixMemory.F_WRLCK, target)
                || held(fd, RINGER_LOCK_OFFSET)) {
                return false;
            }
            return SharedFile.unlinkIfSame(target, PosixFiles.fstat(fd));
        } catch (final IllegalStateException notADoorbell) {
            return false;
        } finally {
            PosixFiles.close(fd); // drops the lock
        }
    }

    private static boolean held(final int fd, final int lockByte) {
        return SharedFile.heldByOthers(fd, lockByte);
    }

    private static int openExisting(final String target) {
        final int fd = SharedFile.tryOpen(target);
        if (fd < 0) {
            throw SharedFile.openFailure(target, -fd, "a doorbell file",
                "no doorbell at this path; the waiting process creates it with Doorbell.create");
        }
        try {
            final FileStat stat = PosixFiles.fstat(fd);
            final String problem = SharedFile.identityProblem(stat, target, "a doorbell file", SharedFile.ANY_MODE,
                false, false);
            if (problem != null) {
                throw new IllegalStateException(problem);
            }
            if (stat.size() < FILE_LENGTH) {
                throw new IllegalStateException(target + " is not a doorbell file: it has " + stat.size()
                    + " bytes, a doorbell has " + FILE_LENGTH);
            }
        } catch (final RuntimeException e) {
            PosixFiles.close(fd);
            throw e;
        }
        return fd;
    }

    private static void lockRole(final int fd, final int offset, final String target, final String role) {
        if (!SharedFile.tryLock(fd, offset, PosixMemory.F_WRLCK, target)) {
            throw new IllegalStateException("another live process already " + role + " doorbell " + target
                + "; a doorbell has one waiting process at a time");
        }
    }

    private static MemorySegment map(final int fd, final Arena arena) {
        final MemorySegment raw = PosixMemory.mmap(fd, FILE_LENGTH, PosixMemory.PROT_READ | PosixMemory.PROT_WRITE,
            PosixMemory.MAP_SHARED, 0);
        return raw.reinterpret(FILE_LENGTH, arena, unused -> PosixMemory.munmap(raw));
    }

    /**
     * Rings the bell: counts the ring and, if the waiter is asleep, wakes it with one signal. Never blocks; any
     * thread of the ringing process (or of the waiting process) may ring.
     *
     * <p>The signal goes only to the live waiter: having claimed the sleep (the waiting word), the ringer reads the
     * identity sequence and the waiter's ids, tests the waiter lock (one fcntl, F_OFD_GETLK), and reads the sequence
     * again; it sends tgkill only when the lock is held and the sequence did not move. A waiter killed while asleep
     * leaves its lock free (nothing is sent: its pid may be another process's by now), and a waiter that adopts the
     * file clears the dead one's ids and bumps the sequence before it takes the lock. tgkill after the lock test was
     * chosen over pidfd_send_signal, which signals a process and not the sleeping thread (thread pidfds need Linux
     * 6.9) and, opened from a pid read in the file, names whatever process has that pid when it is opened: the lock
     * test is what makes the target the live waiter.
     *
     * @return true when the waiter was asleep and this call sent the wake-up, false when it was awake (it will
     *     see the ring without a signal) or another ring already woke it.
     * @throws PeerGoneException ({@link PeerGoneException.Reason#DIED}) when the waiter was asleep and its process
     *     has died.
     * @throws NativeException when the signal cannot be sent (e.g. EAGAIN: the waiter's queue of pending signals
     *     is full; it then sees the ring when its sleep times out).
     */
    public boolean ring() {
        checkOpen();
        LONG.getAndAdd(file, (long) RINGS_OFFSET, 1L); // publish the ring
        if (!WaitingWord.claimSleep(file, WAITING_OFFSET)) {
            return false; // awake: it re-reads the counter before it sleeps; or another ringer claimed this sleep
        }
        final int sequence = WaitingWord.identitySequence(file, IDENTITY_SEQUENCE_OFFSET);
        final int waiterTid = (int) INT.getVolatile(file, (long) WAITER_TID_OFFSET);
        final int waiterPid = (int) INT.getVolatile(file, (long) WAITER_PID_OFFSET);
        final int bellSignal = (int) INT.getVolatile(file, (long) SIGNAL_OFFSET);
        if (!waiter // the waiting end's own process holds the lock through this very descriptor: it lives
            && !held(fd, WAITER_LOCK_OFFSET)) {
            throw new PeerGoneException(PeerGoneException.Reason.DIED, waiterPid, "doorbell " + path
                + ": the waiting process " + waiterPid + " is gone: it died while asleep (its lock on the file is "
                + "free); no signal was sent, since its pid may belong to another process by now");
        }
        if (waiterTid <= 0 || WaitingWord.identitySequence(file, IDENTITY_SEQUENCE_OFFSET) != sequence) {
            return false; // a new waiter took the file over: it has not slept under these ids
        }
        if (SignalWaker.send(waiterPid, waiterTid, bellSignal) != 0) {
            return false; // the thread left; its process lives and re-reads the counter when it waits again
        }
        signalsSent.incrementAndGet();
        return true;
    }

    /**
     * Waits for a ring, up to a timeout.
     *
     * @param timeout the longest wait.
     * @return true when the bell was rung since the last {@code await} that returned true, false on timeout.
     * @see #awaitNanos(long)
     */
    public boolean await(final Duration timeout) {
        return awaitNanos(timeout.toNanos());
    }

    /**
     * Waits for a ring, up to a timeout: returns at once when the bell was rung meanwhile, else spins for the
     * configured time, then sleeps in sigtimedwait until the ringer's signal or the timeout. Allocates nothing.
     *
     * @param timeoutNanos the longest wait, not negative.
     * @return true when the bell was rung since the last {@code await} that returned true, false on timeout.
     * @throws IllegalStateException on the ringing end, on a virtual thread, or when another thread is waiting.
     * @throws ChannelClosedException when the doorbell is (or gets) closed.
     * @throws ChannelInterruptedException when the waiting thread is interrupted: it returns within one
     *     {@link #SLEEP_SLICE_NANOS} (at once while spinning), keeps its interrupt status, and the doorbell stays
     *     open; a ring that came meanwhile is still there for the next {@code await}.
     */
    public boolean awaitNanos(final long timeoutNanos) {
        if (!waiter) {
            throw new IllegalStateException("doorbell " + path + " was opened to ring; only the process that created "
                + "it (Doorbell.create) waits on it");
        }
        if (timeoutNanos < 0) {
            throw new IllegalArgumentException("timeout=" + timeoutNanos + "ns is negative");
        }
        checkOpen();
        if (!AWAITING.compareAndSet(this, null, Thread.currentThread())) {
            throw new IllegalStateException("another thread is already waiting on doorbell " + path
                + "; a doorbell has one waiting thread at a time");
        }
        try {
            final long start = System.nanoTime();
            if (takeRing()) {
                return true;
            }
            if (timeoutNanos == 0) {
                return false;
            }
            final long deadline = start + timeoutNanos;
            if (spinNanos > 0) {
                final long spinEnd = start + Math.min(spinNanos, timeoutNanos);
                while (System.nanoTime() - spinEnd < 0) {
                    if (Thread.currentThread().isInterrupted()) {
                        throw ChannelInterruptedException.interrupted("await", "doorbell:" + path);
                    }
                    Thread.onSpinWait();
                    if (takeRing()) {
                        return true;
                    }
                }
                if (System.nanoTime() - deadline >= 0) {
                    return false;
                }
            }
            return sleep(deadline);
        } finally {
            awaiting = null;
        }
    }

    private boolean sleep(final long deadline) {
        final ThreadSignalMask mask = ThreadSignalMask.current();
        final MemorySegment set = mask.set(signal);
        mask.hold(signal); // before the waiting word: a signal sent from now on stays pending for this thread
        try {
            INT.setVolatile(file, (long) WAITER_TID_OFFSET, mask.tid());
            while (true) {
                // (Re)publish "asleep" and fence, then re-check: a ring counted before this store is seen
                // here, and a ringer that counts after it sees the word and signals.
                WaitingWord.publishAsleep(file, WAITING_OFFSET);
                if (closed) {
                    throw closedWhileWaiting();
                }
                if (takeRing()) {
                    return true;
                }
                final Runnable hook = beforeSleep;
                if (hook != null) {
                    hook.run();
                }
                final long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false; // the counter was read after the word was published: nothing was missed
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw ChannelInterruptedException.interrupted("await", "doorbell:" + path);
                }
                final long slice = Math.min(remaining, SLEEP_SLICE_NANOS); // an interrupt is seen at its end
                final int r = PosixSignals.sigtimedwait(set, slice);
                if (r == signal) {
                    sleeps++;
                    final int from = PosixSignals.senderPid();
                    if (from != pid && from != (int) INT.getVolatile(file, (long) RINGER_PID_OFFSET)) {
                        strangersIgnored++;
                    } else if (takeRing()) {
                        return true;
                    }
                    // a stranger, or a wake-up sent for an earlier sleep: publish again and sleep on
                } else if (r == -Errno.EAGAIN) {
                    if (slice < remaining) {
                        continue; // a slice ended, not the wait: publish again, look, and sleep on
                    }
                    sleeps++;
                    if (closed) {
                        throw closedWhileWaiting();
                    }
                    if (takeRing()) {
                        missedWakeups++; // rung while asleep, yet no signal came before the deadline
                        return true;
                    }
                    return false;
                } else if (r != -Errno.EINTR) {
                    throw new NativeException("sigtimedwait",
                        PosixSignals.name(signal) + ", timeout=" + remaining + "ns", -r);
                }
            }
        } finally {
            WaitingWord.publishAwake(file, WAITING_OFFSET); // before unblocking: a late signal is then discarded
            mask.release(signal);
        }
    }

    private ChannelClosedException closedWhileWaiting() {
        return new ChannelClosedException("doorbell " + path + " was closed while a thread waited on it");
    }

    private boolean takeRing() {
        final long rings = lvRings();
        if (rings != seen) {
            seen = rings;
            return true;
        }
        return false;
    }

    /**
     * Tells whether the other side lives: for the waiter, whether a ringing process has the doorbell open; for
     * the ringer, whether the waiting process does. One fcntl(F_OFD_GETLK).
     *
     * @return whether the other role's lock is held.
     */
    public boolean isPeerAlive() {
        checkOpen();
        return held(fd, waiter ? RINGER_LOCK_OFFSET : WAITER_LOCK_OFFSET);
    }

    /**
     * @return the doorbell file.
     */
    public Path path() {
        return path;
    }

    /**
     * @return true for the waiting end ({@link #create}), false for the ringing end ({@link #open}).
     */
    public boolean isWaiter() {
        return waiter;
    }

    /**
     * @return the signal that rings this doorbell, as the waiter published it.
     */
    public int signal() {
        checkOpen();
        return (int) INT.getVolatile(file, (long) SIGNAL_OFFSET);
    }

    /**
     * @return how many times the waiter slept in sigtimedwait and woke (by a signal or the timeout). Read it on
     *     the waiting thread, or after it stopped waiting.
     */
    public long sleeps() {
        return sleeps;
    }

    /**
     * @return how many sleeps ran to their timeout although the bell had been rung meanwhile: wake-ups that never
     *     arrived (a full signal queue), or rings at the very end of a timeout. Read as {@link #sleeps()}.
     */
    public long missedWakeups() {
        return missedWakeups;
    }

    /**
     * @return how many signals the waiter collected from processes other than the ringer and itself, and dropped.
     *     Read as {@link #sleeps()}.
     */
    public long strangersIgnored() {
        return strangersIgnored;
    }

    /**
     * @return how many wake-up signals this end has sent.
     */
    public long signalsSent() {
        return signalsSent.get();
    }

    /**
     * Closes this end. The waiter's end removes the file; a thread still waiting is woken and gets a
     * {@link ChannelClosedException}. The ringer's end withdraws its pid. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true; // a volatile store, then the volatile loads below: a waiter that goes on sees it, or ...
        final Thread sleeper = awaiting;
        if (sleeper != null && sleeper != Thread.currentThread()) {
            if (WaitingWord.isAsleep(file, WAITING_OFFSET)) { // ... it is asleep and gets this signal
                PosixSignals.tgkill(pid, (int) INT.getVolatile(file, (long) WAITER_TID_OFFSET), signal);
            }
            final long deadline = System.nanoTime() + CLOSE_TIMEOUT_NANOS;
            while (awaiting != null && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
            }
        }
        if (waiter) {
            PosixFiles.tryUnlink(path.toString()); // first: no process can adopt a file this one still owns
        } else {
            INT.compareAndSet(file, (long) RINGER_PID_OFFSET, pid, 0);
        }
        arena.close();
        PosixFiles.close(fd); // drops the role lock
    }

    private void checkOpen() {
        if (closed) {
            throw new ChannelClosedException("doorbell " + path + " is closed; create or open a new one");
        }
    }

    /**
     * Runs {@code hook} each time the waiter has published that it sleeps and re-checked the counter, just before
     * it calls sigtimedwait: the window in which a ring must still wake it. For tests.
     *
     * @param hook the code to run, or null.
     */
    void beforeSleep(final Runnable hook) {
        this.beforeSleep = hook;
    }

    /**
     * @return the waiting word, read with acquire ordering. For tests.
     */
    int lvWaiting() {
        return (int) INT.getVolatile(file, (long) WAITING_OFFSET);
    }

    /**
     * Clears the waiting word as a ringer that claims a sleep does, without ringing. For tests.
     *
     * @return whether the word was set.
     */
    boolean claimWaiting() {
        return INT.compareAndSet(file, (long) WAITING_OFFSET, 1, 0);
    }

    /**
     * @return the ring counter, read with acquire ordering.
     */
    long lvRings() {
        return (long) LONG.getVolatile(file, (long) RINGS_OFFSET);
    }
}
