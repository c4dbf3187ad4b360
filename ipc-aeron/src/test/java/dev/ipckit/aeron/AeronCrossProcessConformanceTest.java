package dev.ipckit.aeron;

import java.util.ArrayList;
import java.util.List;

import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.conformance.CrossProcessConformanceTest;
import dev.ipckit.conformance.Peer;

/**
 * The cross-process conformance kit over Aeron UDP on 127.0.0.1: the child JVM runs its own embedded media driver,
 * so a child killed with SIGKILL takes its driver with it, as a host that dies would.
 */
class AeronCrossProcessConformanceTest extends CrossProcessConformanceTest {

    /** A publication sees its image go whether the receiver closed or died, and learns no pid: see AeronSender. */
    @Override
    protected boolean senderLearnsHowReceiverLeft() {
        return false;
    }

    /** Aeron's wire carries a session, not a process: the receiver names the endpoint instead of a pid. */
    @Override
    protected boolean receiverLearnsSenderPid() {
        return false;
    }

    /** A child killed with SIGKILL could not remove its embedded driver's directory: remove it. */
    @org.junit.jupiter.api.AfterEach
    void removeWhatKilledChildrenLeft() {
        dev.ipckit.aeron.EmbeddedDriver.removeAbandonedDirectories();
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
        final String uri = Ports.loopbackUri("&timeout=60s");
        final Receiver receiver = Channels.openReceiver(uri);
        try {
            return new Remote<>(receiver, Peer.startJvm(args("send", uri, senderArgs)));
        } catch (final RuntimeException e) {
            receiver.close();
            throw e;
        }
    }

    @Override
    protected Remote<Sender> senderWithChildReceiver(final String mode, final List<String> receiverArgs) {
        final String uri = Ports.loopbackUri("&timeout=60s");
        final Peer peer = Peer.startJvm(args(mode, uri, receiverArgs));
        try {
            return new Remote<>(Channels.openSender(uri), peer);
        } catch (final RuntimeException e) {
            peer.kill();
            throw e;
        }
    }
}
