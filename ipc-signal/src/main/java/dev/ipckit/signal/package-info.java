/**
 * Signal wake-ups, safe inside a JVM: an idle receiver thread sleeps in sigtimedwait on a signal it blocks, and
 * a sender in another process wakes it with tgkill to the thread id published in shared memory.
 *
 * <ul>
 *   <li>{@link dev.ipckit.signal.SignalWakeupProvider} serves {@code wait=signal} to the mmap transport through
 *       the core {@link dev.ipckit.spi.WakeupProvider} SPI ({@link dev.ipckit.signal.SignalWaiter},
 *       {@link dev.ipckit.signal.SignalWaker}); the transport owns the waiting word.</li>
 *   <li>{@link dev.ipckit.signal.Doorbell} is a standalone "wake up" between two processes over a one-page file
 *       ({@link dev.ipckit.signal.DoorbellDescriptor}), for programs that need no ring buffer.</li>
 *   <li>{@link dev.ipckit.signal.WakeSignal} chooses the signal ({@code signal=}, default SIGRTMIN+4), refuses
 *       the signals the JVM and glibc use, and explains why a stray {@code kill -s} from a shell can neither kill
 *       the JVM nor count as a wake-up.</li>
 * </ul>
 */
package dev.ipckit.signal;
