package dev.ipckit.mmap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import dev.ipckit.Channels;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;

/**
 * Child-process roles for the fan-out tests. Usage:
 *
 * <pre>
 * subscribe URI READY OUT COUNT [GO]  open a receiver, then receive until COUNT messages (COUNT -1: until the
 *                                      sender is gone) or the sender is gone; write "received first last torn
 *                                      disorder gaps laps droppedBytes gone" to OUT (disorder: an index not above the
 *                                      one before; gaps: one more than one above; gone: the PeerGoneException's
 *                                      reason, or none; with COUNT -1, when nothing more came within the timeout,
 *                                      nosender when no sender opened in this end's session, else timeout)
 * hold URI READY                       open a receiver and never poll; wait to be killed
 * send URI READY COUNT MAXLEN [GO]     open a sender and send messages 0..COUNT-1 (FanOutMessages), then close
 * </pre>
 *
 * READY (a path, or -) gets this process's pid once its end is open. With GO, the process first writes READY.armed,
 * then spins until the file GO exists and only then opens its end, so that several children open at one moment.
 * Exit codes: 0 done, 3 timed out, 4 usage.
 */
public final class FanOutPeer {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private FanOutPeer() {
    }

    /**
     * @param args see the class comment.
     * @throws Exception on failure, which exits non-zero.
     */
    public static void main(final String[] args) throws Exception {
        switch (args.length > 0 ? args[0] : "") {
            case "subscribe" -> {
                awaitGo(args, 5, args[2]);
                subscribe(args[1], args[2], Path.of(args[3]), Long.parseLong(args[4]));
            }
            case "hold" -> hold(args[1], args[2]);
            case "send" -> {
                awaitGo(args, 5, args[2]);
                send(args[1], args[2], Long.parseLong(args[3]), Integer.parseInt(args[4]));
            }
            default -> {
                System.err.println("usage: subscribe URI READY OUT COUNT [GO] | hold URI READY"
                    + " | send URI READY COUNT MAXLEN [GO]");
                System.exit(4);
            }
        }
    }

    /**
     * With a GO argument at {@code index}: writes READY.armed, then spins (yielding) until GO exists.
     */
    private static void awaitGo(final String[] args, final int index, final String readyFile) throws Exception {
        if (args.length <= index) {
            return;
        }
        final Path go = Path.of(args[index]);
        if (!"-".equals(readyFile)) {
            ready(readyFile + ".armed");
        }
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!Files.exists(go)) {
            if (System.nanoTime() - deadline > 0) {
                System.err.println("peer: no go file " + go + " within " + TIMEOUT);
                System.exit(3);
            }
            Thread.yield();
        }
    }

    static void ready(final String readyFile) throws Exception {
        if (!"-".equals(readyFile)) {
            final Path tmp = Path.of(readyFile + ".tmp");
            Files.writeString(tmp, Long.toString(ProcessHandle.current().pid()));
            Files.move(tmp, Path.of(readyFile), StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static void subscribe(final String uri, final String readyFile, final Path out, final long count)
        throws Exception {
        final Receiver receiver = Channels.openReceiver(uri);
        ready(readyFile);
        final long[] state = {0, -1, -1, 0, 0, 0}; // received, first, last, torn, disorder, gaps
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        String gone = "none";
        try {
            while (count < 0 || state[0] < count) {
                if (System.nanoTime() - deadline > 0) {
                    System.err.println("subscriber: received " + state[0] + " of " + count + " on " + uri);
                    if (count >= 0) {
                        System.exit(3);
                    }
                    // no sender opened in this end's session (it joined after every other end had gone), or one
                    // is open and sends nothing
                    try (RingFileInspector inspector = RingFileInspector.open(((MmapReceiver) receiver).path())) {
                        final RingFileInspector.Stat stat = inspector.stat();
                        // alive by isPeerAlive with the sender lock free: no sender opened in this session
                        gone = receiver.isPeerAlive() && !stat.senderLockHeld() ? "nosender" : "timeout";
                        System.err.println("subscriber " + ProcessHandle.current().pid() + " (slot "
                            + ((MmapReceiver) receiver).subscriber() + ", " + gone + "): " + stat);
                    }
                    break;
                }
                receiver.poll(message -> {
                    final long index = FanOutMessages.check(message);
                    if (index < 0) {
                        state[3]++;
                        return;
                    }
                    if (state[1] < 0) {
                        state[1] = index;
                    } else if (index <= state[2]) {
                        state[4]++;
                    } else if (index != state[2] + 1) {
                        state[5]++;
                    }
                    state[2] = index;
                    state[0]++;
                }, 64, Duration.ofMillis(100));
            }
        } catch (final PeerGoneException e) {
            gone = e.reason().name(); // the sender closed or died: everything it committed was delivered
        }
        final MmapReceiver mmap = (MmapReceiver) receiver;
        final String result = state[0] + " " + state[1] + " " + state[2] + " " + state[3] + " " + state[4] + " "
            + state[5] + " " + mmap.laps() + " " + mmap.droppedBytes() + " " + gone;
        receiver.close();
        final Path tmp = Path.of(out + ".tmp");
        Files.writeString(tmp, result);
        Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
        System.exit(0);
    }

    private static void hold(final String uri, final String readyFile) throws Exception {
        final Receiver receiver = Channels.openReceiver(uri);
        ready(readyFile);
        Thread.sleep(TIMEOUT.toMillis() * 2); // the test kills this process; this bound ends an orphan
        receiver.close();
        System.exit(3);
    }

    private static void send(final String uri, final String readyFile, final long count, final int maxLength)
        throws Exception {
        final Sender sender = Channels.openSender(uri);
        ready(readyFile);
        final MemorySegment message = Arena.ofAuto().allocate(maxLength, 8);
        for (long i = 0; i < count; i++) {
            final int length = FanOutMessages.fill(message, i, maxLength);
            if (!sender.offer(message.asSlice(0, length), TIMEOUT)) {
                System.err.println("sender: offer of message " + i + " timed out on " + uri);
                System.exit(3);
            }
        }
        sender.close();
        System.exit(0);
    }
}
