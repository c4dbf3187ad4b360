package dev.ipckit.fifo;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.conformance.CrossProcessConformanceTest;
import dev.ipckit.conformance.Peer;

/**
 * The cross-process conformance kit on a FIFO: the child JVM opens the other end by path, and both opens
 * rendezvous.
 */
class FifoCrossProcessConformanceTest extends CrossProcessConformanceTest {
    private static final AtomicInteger NAMES = new AtomicInteger();

    private String uri() {
        return "fifo:" + dir.resolve("cross-" + NAMES.incrementAndGet() + ".fifo") + "?timeout=60s";
    }

    private static List<String> args(final String mode, final String uri, final List<String> rest) {
        final List<String> args = new ArrayList<>();
        args.add(mode);
        args.add(uri);
        args.addAll(rest);
        return args;
    }

    @Override
    protected Remote<Receiver> receiverWithChildSender(final List<String> senderArgs) {
        final String uri = uri();
        final Peer peer = Peer.startJvm(args("send", uri, senderArgs));
        try {
            return new Remote<>(Channels.openReceiver(uri), peer);
        } catch (final RuntimeException e) {
            peer.kill();
            throw e;
        }
    }

    @Override
    protected Remote<Sender> senderWithChildReceiver(final String mode, final List<String> receiverArgs) {
        final String uri = uri();
        final Peer peer = Peer.startJvm(args(mode, uri, receiverArgs));
        try {
            return new Remote<>(Channels.openSender(uri), peer);
        } catch (final RuntimeException e) {
            peer.kill();
            throw e;
        }
    }

    /** A FIFO or pipe sender sees EPIPE whether its receiver closed or died, and cannot learn its pid. */
    @Override
    protected boolean senderLearnsHowReceiverLeft() {
        return false;
    }

    /** A FIFO's receiver names itself with a lock at the offset of its pid, which the sender reads at open. */
    @Override
    protected boolean senderLearnsReceiverPid() {
        return true;
    }
}
