package dev.ipckit.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.ipckit.ChannelUri;
import dev.ipckit.posix.PosixSignals;

class WakeSignalTest {
    private static final List<String> JVM_SIGNALS = List.of(
        "SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL", "SIGPIPE", "SIGQUIT", "SIGUSR2", "SIGHUP", "SIGINT", "SIGTERM",
        "SIGXFSZ");

    @Test
    void shouldDefaultToARealTimeSignal() {
        assertEquals(PosixSignals.SIGRTMIN_VALUE + 4, WakeSignal.DEFAULT);
        assertEquals("SIGRTMIN+4", PosixSignals.name(WakeSignal.DEFAULT));
        assertEquals(WakeSignal.DEFAULT, WakeSignal.fromUri(ChannelUri.parse("mmap:orders?wait=signal")));
    }

    @Test
    void shouldAcceptRealTimeSignalsAndSigusr1() {
        assertEquals(PosixSignals.SIGRTMIN_VALUE + 6, WakeSignal.fromUri(ChannelUri.parse("mmap:q?signal=SIGRTMIN+6")));
        assertEquals(PosixSignals.SIGRTMIN_VALUE + 2, WakeSignal.fromUri(ChannelUri.parse("mmap:q?signal=RTMIN+2")));
        assertEquals(PosixSignals.SIGRTMAX_VALUE, WakeSignal.fromUri(ChannelUri.parse("mmap:q?signal=SIGRTMAX")));
        assertEquals(PosixSignals.SIGUSR1, WakeSignal.fromUri(ChannelUri.parse("mmap:q?signal=SIGUSR1")));
        assertEquals(PosixSignals.SIGUSR1, WakeSignal.parse("usr1"));
        for (int signal = PosixSignals.SIGRTMIN_VALUE; signal <= PosixSignals.SIGRTMAX_VALUE; signal++) {
            assertTrue(WakeSignal.isUsable(signal), PosixSignals.name(signal));
            assertNull(WakeSignal.refusal(signal));
        }
    }

    @Test
    void shouldRefuseTheSignalsTheJvmUsesAndSayWhy() {
        for (final String name : JVM_SIGNALS) {
            final int signal = PosixSignals.parse(name);
            final long disposition = PosixSignals.handler(signal);
            final String uri = "mmap:q?wait=signal&signal=" + name;
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WakeSignal.fromUri(ChannelUri.parse(uri)), name);
            assertTrue(e.getMessage().startsWith("signal=" + name + " in '" + uri + "' is refused: the JVM uses it"),
                e.getMessage());
            assertTrue(e.getMessage().contains("SIGRTMIN+4") && e.getMessage().contains("SIGUSR1"), e.getMessage());
            final IllegalArgumentException parsed =
                assertThrows(IllegalArgumentException.class, () -> WakeSignal.parse(name));
            assertTrue(parsed.getMessage().startsWith("signal=" + name + " is refused: the JVM uses it"),
                parsed.getMessage());
            assertFalse(WakeSignal.isUsable(signal));
            assertEquals(disposition, PosixSignals.handler(signal), name + "'s disposition is left alone");
        }
        assertTrue(WakeSignal.refusal(PosixSignals.SIGQUIT).contains("thread dump"));
        assertTrue(WakeSignal.refusal(PosixSignals.SIGTERM).contains("shutdown"));
        assertTrue(WakeSignal.refusal(PosixSignals.SIGUSR2).contains("suspend"));
        assertTrue(WakeSignal.refusal(PosixSignals.SIGSEGV).contains("null checks"));
    }

    @Test
    void shouldRefuseUnblockableAndGlibcReservedSignals() {
        assertTrue(WakeSignal.refusal(PosixSignals.SIGKILL).contains("cannot be caught, blocked or ignored"));
        assertTrue(WakeSignal.refusal(PosixSignals.SIGSTOP).contains("cannot be caught, blocked or ignored"));
        for (int signal = 32; signal < PosixSignals.SIGRTMIN_VALUE; signal++) {
            final int number = signal;
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WakeSignal.parse(Integer.toString(number)));
            assertTrue(e.getMessage().contains("glibc reserves it"), e.getMessage());
        }
        final IllegalArgumentException chld = assertThrows(IllegalArgumentException.class,
            () -> WakeSignal.fromUri(ChannelUri.parse("mmap:q?signal=SIGCHLD")));
        assertTrue(chld.getMessage().contains("reap child processes"), chld.getMessage());
        for (int signal = 1; signal < 32; signal++) {
            assertEquals(signal == PosixSignals.SIGUSR1, WakeSignal.isUsable(signal), PosixSignals.name(signal));
        }
    }

    @Test
    void shouldExplainANameThatIsNotASignal() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> WakeSignal.fromUri(ChannelUri.parse("mmap:q?signal=SIGNOPE")));
        assertTrue(e.getMessage().startsWith("signal=SIGNOPE in 'mmap:q?signal=SIGNOPE' is not a signal"),
            e.getMessage());
        final IllegalArgumentException far = assertThrows(IllegalArgumentException.class,
            () -> WakeSignal.parse("SIGRTMIN+99"));
        assertTrue(far.getMessage().startsWith("signal=SIGRTMIN+99 is not a signal"), far.getMessage());
        assertNotNull(WakeSignal.refusal(0));
        assertNotNull(WakeSignal.refusal(PosixSignals.SIGRTMAX_VALUE + 1));
    }

    @Test
    void shouldIgnoreStraysOfAWakeUpSignalOnlyOnce() {
        final int signal = PosixSignals.SIGRTMIN_VALUE + 9;
        WakeSignal.ignoreStrays(signal);
        assertEquals(PosixSignals.SIG_IGN, PosixSignals.handler(signal));
        WakeSignal.ignoreStrays(signal);
        assertEquals(PosixSignals.SIG_IGN, PosixSignals.handler(signal));
        assertThrows(IllegalArgumentException.class, () -> WakeSignal.ignoreStrays(PosixSignals.SIGTERM));
    }

    @Test
    void shouldRefuseASignalThatHasAHandler() throws Exception {
        // sun.misc.Signal installs a JVM handler for SIGUSR1 as an application would; reached by reflection so
        // that compiling this test needs no internal API.
        final Class<?> signalClass = Class.forName("sun.misc.Signal");
        final Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
        final Object usr1 = signalClass.getConstructor(String.class).newInstance("USR1");
        final Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
        final InvocationHandler ignore = (proxy, method, args) -> switch (method.getName()) {
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            case "toString" -> "a test handler that does nothing";
            default -> null;
        };
        final Object handler =
            Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass}, ignore);
        final Object previous = handle.invoke(null, usr1, handler);
        try {
            final long installed = PosixSignals.handler(PosixSignals.SIGUSR1);
            final IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> WakeSignal.ignoreStrays(PosixSignals.SIGUSR1));
            assertTrue(e.getMessage().startsWith("SIGUSR1 already has a handler in this process"), e.getMessage());
            assertEquals(installed, PosixSignals.handler(PosixSignals.SIGUSR1), "the handler is left in place");
        } finally {
            handle.invoke(null, usr1, previous);
        }
    }
}
