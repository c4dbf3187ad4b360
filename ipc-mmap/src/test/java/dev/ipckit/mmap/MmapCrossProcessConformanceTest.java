package dev.ipckit.mmap;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;

import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.conformance.CrossProcessConformanceTest;
import dev.ipckit.conformance.Peer;

/**
 * The cross-process conformance kit on a producers=one ring: the child is a real JVM, killed with SIGKILL
 * where the contract speaks of a dead peer. The local end opens first and creates the ring.
 */
class MmapCrossProcessConformanceTest extends CrossProcessConformanceTest {
    private final List<String> names = new ArrayList<>();

    /**
     * @return the options after the ring name.
     */
    protected String options() {
        return "?capacity=64k&maxMessage=4k";
    }

    private String freshUri() {
        final String name = TestRings.uniqueName("xp");
        names.add(name);
        return "mmap:" + name + options();
    }

    @Override
    protected Remote<Receiver> receiverWithChildSender(final List<String> senderArgs) {
        final String uri = freshUri();
        final Receiver receiver = Channels.openReceiver(uri);
        final List<String> args = new ArrayList<>(List.of("send", uri));
        args.addAll(senderArgs);
        return new Remote<>(receiver, Peer.startJvm(args));
    }

    @Override
    protected Remote<Sender> senderWithChildReceiver(final String mode, final List<String> receiverArgs) {
        final String uri = freshUri();
        final Sender sender = Channels.openSender(uri);
        final List<String> args = new ArrayList<>(List.of(mode, uri));
        args.addAll(receiverArgs);
        return new Remote<>(sender, Peer.startJvm(args));
    }

    @AfterEach
    void removeRings() {
        names.forEach(TestRings::remove);
    }
}
