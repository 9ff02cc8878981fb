package io.spool.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeadlineTimerTest {
    private final DeadlineTimer timer = new DeadlineTimer("test-timeouts");

    @AfterEach
    void close() {
        timer.close();
    }

    @Test
    void shouldFailAFutureWithATimeoutWhenItDoesNotCompleteInTime() {
        CompletableFuture<String> future = timer.orTimeout(new CompletableFuture<>(), 20);

        await().atMost(Duration.ofSeconds(5)).until(future::isDone);
        assertThat(future).isCompletedExceptionally();
        assertThat(timer.pending()).isZero();
        try {
            future.get();
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(TimeoutException.class);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shouldDropTheDeadlineWhenTheFutureCompletesFirst() {
        CompletableFuture<String> future = timer.orTimeout(new CompletableFuture<>(), 60_000);
        assertThat(timer.pending()).isEqualTo(1);

        future.complete("done");

        assertThat(timer.pending()).isZero();
        assertThat(future).isCompletedWithValue("done");
    }

    @Test
    void shouldFireAnEarlierDeadlineAddedWhileTheThreadSleepsUntilALaterOne() {
        CompletableFuture<String> late = timer.orTimeout(new CompletableFuture<>(), 600_000);
        await().atMost(Duration.ofSeconds(5)).until(() -> timer.signals() == 1);

        CompletableFuture<String> early = timer.orTimeout(new CompletableFuture<>(), 30);

        await().atMost(Duration.ofSeconds(5)).until(early::isDone);
        assertThat(early).isCompletedExceptionally();
        assertThat(late).isNotDone();
        assertThat(timer.signals()).isEqualTo(2);
    }

    @Test
    void shouldNotWakeTheThreadForEachWaitThatEndsBeforeItsDeadline() {
        // One request at a time, each answered long before its timeout: the pattern of a producer with one request
        // in flight. Only the first deadline has to wake the timer's thread; later ones fall after its planned wake.
        for (int i = 0; i < 1_000; i++) {
            CompletableFuture<Integer> request = timer.orTimeout(new CompletableFuture<>(), 30_000);
            request.complete(i);
        }

        assertThat(timer.signals()).isEqualTo(1);
        assertThat(timer.pending()).isZero();
    }

    @Test
    void shouldFireDeadlinesInOrderOfTime() {
        CompletableFuture<String> second = timer.orTimeout(new CompletableFuture<>(), 80);
        CompletableFuture<String> first = timer.orTimeout(new CompletableFuture<>(), 20);
        CompletableFuture<Long> firstDoneAt = first.handle((v, e) -> System.nanoTime());
        CompletableFuture<Long> secondDoneAt = second.handle((v, e) -> System.nanoTime());

        await().atMost(Duration.ofSeconds(5)).until(() -> firstDoneAt.isDone() && secondDoneAt.isDone());
        assertThat(firstDoneAt.join()).isLessThan(secondDoneAt.join());
    }

    @Test
    void shouldLeaveFuturesAloneOnceClosed() {
        timer.close();

        CompletableFuture<String> future = timer.orTimeout(new CompletableFuture<>(), 1);

        assertThat(timer.pending()).isZero();
        assertThat(future).isNotDone();
    }
}
