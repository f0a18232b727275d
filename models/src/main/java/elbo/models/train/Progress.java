package elbo.models.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of long work: on a terminal, one status line redrawn in place (at most 10 times a second) with a
 * bar; otherwise (a log file, a pipe, CI) plain lines, at most one every {@value #PLAIN_INTERVAL_SECONDS}
 * seconds, so logs stay readable. {@code ELBO_PROGRESS=bar|plain} overrides the detection.
 */
public final class Progress {
    static final int PLAIN_INTERVAL_SECONDS = 30;
    private static final int BAR_WIDTH = 24;

    private final PrintStream out;
    private final boolean terminal;
    private long lastDraw;
    private int drawnWidth;

    public Progress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
        this.lastDraw = terminal ? 0 : System.nanoTime();   // plain: the first line after an interval
    }

    /** Progress on standard output, as a bar when it is a terminal. */
    public static Progress console() {
        String forced = System.getenv("ELBO_PROGRESS");
        boolean terminal = forced != null ? forced.equals("bar") : isTerminal();
        return new Progress(System.out, terminal);
    }

    /**
     * Shows {@code label [bar] detail} for {@code fraction} in [0, 1] of the current task (the bar only on
     * a terminal; plain output prints the line when enough time has passed).
     */
    public void update(String label, double fraction, String detail) {
        if (!due()) {
            return;
        }
        lastDraw = System.nanoTime();
        if (terminal) {
            int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * BAR_WIDTH);
            String text = label + " [" + "=".repeat(filled) + " ".repeat(BAR_WIDTH - filled) + "] " + detail;
            out.print("\r" + text + " ".repeat(Math.max(0, drawnWidth - text.length())));
            drawnWidth = text.length();
            out.flush();
        } else {
            out.println(label + " " + detail);
        }
    }

    /** Whether {@link #update} would draw now: callers on a hot path skip formatting its text otherwise. */
    public boolean due() {
        long interval = terminal ? 100_000_000L : PLAIN_INTERVAL_SECONDS * 1_000_000_000L;
        return lastDraw == 0 || System.nanoTime() - lastDraw >= interval;
    }

    /** Prints a permanent line (clearing a bar in progress). */
    public void line(String text) {
        if (terminal && drawnWidth > 0) {
            out.print("\r" + " ".repeat(drawnWidth) + "\r");
            drawnWidth = 0;
        }
        out.println(text);
    }

    /** {@code h:mm:ss} or {@code m:ss}. */
    public static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "?";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** Whether standard output is a terminal ({@code Console.isTerminal} on JDK 22+, else a console exists). */
    static boolean isTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // JDK 21: System.console() is null unless both streams are a terminal
        }
    }
}
