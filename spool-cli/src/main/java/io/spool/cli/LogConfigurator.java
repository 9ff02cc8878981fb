package io.spool.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * The logging set-up of the {@code spool} command, in code rather than a logback.xml: parsing XML costs a start-up
 * a noticeable part of its time. Logs go to stderr, because stdout belongs to the data a command prints (consume
 * output, topic lists). A user's own file given with {@code -Dlogback.configurationFile} takes precedence, and so
 * does a {@code logback-test.xml} of a test classpath that includes this module.
 * Found by logback through {@code META-INF/services}; runs once, on the first logger lookup.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogConfigurator extends ContextAwareBase implements Configurator {
    private static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || LogConfigurator.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();

        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(stderr);
        context.getLogger("org.apache.ratis").setLevel(Level.WARN);
        // Ratis logs every failed connection to a peer that is not up yet, with a stack trace, as an error; a node
        // of a cluster that starts before the others would fill its log with them. Spool logs the quorum's state.
        context.getLogger("org.apache.ratis.util.LifeCycle").setLevel(Level.OFF);
        context.getLogger("org.apache.ratis.netty.client").setLevel(Level.ERROR);
        context.getLogger("org.apache.ratis.grpc").setLevel(Level.ERROR);
        context.getLogger("io.netty").setLevel(Level.WARN);
        context.getLogger("org.apache.kafka").setLevel(Level.WARN);
        // The client repeats "could not be established" every retry while a broker is down; the command reports the
        // outcome once, in its own error line.
        context.getLogger("org.apache.kafka.clients.NetworkClient").setLevel(Level.ERROR);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
