package dev.ipckit.fifo;

import java.util.ArrayList;
import java.util.List;

import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.conformance.ConformancePeer;
import dev.ipckit.conformance.CrossProcessConformanceTest;

/**
 * The cross-process conformance kit on anonymous pipes: the child JVM is started by
 * {@link ChildProcess#startJava} with its end on descriptor 3 and opens it as {@code pipe:fd=3}.
 */
class PipeCrossProcessConformanceTest extends CrossProcessConformanceTest {
    private static List<String> args(final String mode, final List<String> rest) {
        final List<String> args = new ArrayList<>();
        args.add(mode);
        args.add("pipe:fd=" + ChildProcess.FIRST_PIPE_FD);
        args.addAll(rest);
        return args;
    }

    @Override
    protected Remote<Receiver> receiverWithChildSender(final List<String> senderArgs) {
        final ChildPipe pipe = ChildPipe.fromChild();
        try {
            final ChildProcess child = ChildProcess.startJava(ConformancePeer.class, args("send", senderArgs), pipe);
            return new Remote<>(pipe.receiver(), new ChildPeer(child));
        } catch (final RuntimeException e) {
            pipe.close();
            throw e;
        }
    }

    @Override
    protected Remote<Sender> senderWithChildReceiver(final String mode, final List<String> receiverArgs) {
        final ChildPipe pipe = ChildPipe.toChild();
        try {
            final ChildProcess child = ChildProcess.startJava(ConformancePeer.class, args(mode, receiverArgs), pipe);
            return new Remote<>(pipe.sender(), new ChildPeer(child));
        } catch (final RuntimeException e) {
            pipe.close();
            throw e;
        }
    }

    /** A FIFO or pipe sender sees EPIPE whether its receiver closed or died, and cannot learn its pid. */
    @Override
    protected boolean senderLearnsHowReceiverLeft() {
        return false;
    }
}
