package io.spool.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerConfigTest {

    @Test
    void shouldStartAsSingleNodeOnLoopbackWithDataInDotDataWhenNothingIsSet() {
        ServerConfig config = ServerConfig.defaults();
        assertThat(config.nodeId()).isEqualTo(1);
        assertThat(config.isBroker()).isTrue();
        assertThat(config.isController()).isTrue();
        assertThat(config.brokerListeners()).containsExactly(new Listener("PLAINTEXT", "127.0.0.1", 9092));
        assertThat(config.logDirs()).containsExactly(Path.of("./data"));
        assertThat(config.quorumVoters()).containsOnlyKeys(1);
        assertThat(config.retentionMs()).isEqualTo(168 * 3_600_000L);
    }

    @Test
    void shouldRejectSettingWhenNameIsUnknown() {
        assertThatThrownBy(() -> ServerConfig.parse(Map.of("log.retention.msec", "5")))
                .isInstanceOf(InvalidConfigException.class).hasMessage("Unknown setting: log.retention.msec");
    }

    @Test
    void shouldRejectSettingWhenValueIsNotANumber() {
        assertThatThrownBy(() -> ServerConfig.parse(Map.of("num.partitions", "many")))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("num.partitions")
                .hasMessageContaining("many");
    }

    @Test
    void shouldRejectSettingWhenValueBreaksItsRule() {
        assertThatThrownBy(() -> ServerConfig.parse(Map.of("log.segment.bytes", "3")))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("at least 14");
        assertThatThrownBy(() -> ServerConfig.parse(Map.of("auto.create.topics.enable", "yes")))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("true or false");
        assertThatThrownBy(() -> ServerConfig.parse(Map.of("process.roles", "broker,zookeeper")))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("process.roles");
    }

    @Test
    void shouldRejectListenersWhenMalformedOrMissingTheControllerListener() {
        assertThatThrownBy(() -> ServerConfig.parse(Map.of("listeners", "127.0.0.1:9092")))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("NAME://host:port");
        assertThatThrownBy(() -> ServerConfig.parse(Map.of("listeners", "PLAINTEXT://:9092")))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("CONTROLLER");
        assertThatThrownBy(() -> ServerConfig.parse(Map.of("listeners",
                "PLAINTEXT://:9092,CONTROLLER://:9093", "listener.security.protocol.map", "PLAINTEXT:SSL")))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("PLAINTEXT");
    }

    @Test
    void shouldUseKafkaPrecedenceWhenRetentionIsGivenInSeveralUnits() {
        assertThat(ServerConfig.parse(Map.of("log.retention.hours", "1")).retentionMs()).isEqualTo(3_600_000L);
        assertThat(ServerConfig.parse(Map.of("log.retention.hours", "1", "log.retention.minutes", "2"))
                .retentionMs()).isEqualTo(120_000L);
        assertThat(ServerConfig.parse(Map.of("log.retention.minutes", "2", "log.retention.ms", "5"))
                .retentionMs()).isEqualTo(5L);
        assertThat(ServerConfig.parse(Map.of("log.retention.ms", "-1")).retentionMs()).isEqualTo(-1L);
    }

    @Test
    void shouldAcceptCommonKafkaSettingsWhenTheyHaveNoEffectYet() {
        ServerConfig config = ServerConfig.parse(Map.of("offsets.topic.replication.factor", "1",
                "num.recovery.threads.per.data.dir", "1"));
        assertThat(config.nodeId()).isEqualTo(1);
    }

    @Test
    void shouldParseKafkaStyleQuorumAndDirectoriesWhenGiven() {
        ServerConfig config = ServerConfig.parse(Map.of("node.id", "3", "log.dirs", "/a, /b",
                "listeners", "PLAINTEXT://0.0.0.0:19092,CONTROLLER://10.0.0.3:19093",
                "advertised.listeners", "PLAINTEXT://broker3.example:19092",
                "controller.quorum.voters", "1@10.0.0.1:19093,2@10.0.0.2:19093,3@10.0.0.3:19093"));
        assertThat(config.logDirs()).containsExactly(Path.of("/a"), Path.of("/b"));
        assertThat(config.quorumVoters()).containsOnlyKeys(1, 2, 3);
        assertThat(config.advertisedListeners()).containsExactly(new Listener("PLAINTEXT", "broker3.example", 19092));
        assertThat(config.isExplicit("log.dirs")).isTrue();
        assertThat(config.isExplicit("num.partitions")).isFalse();
        assertThat(config.getList("log.dirs")).isEqualTo(List.of("/a", "/b"));
    }

    @Test
    void shouldAcceptADedicatedControllerWhenItHasOnlyTheControllerListener() {
        ServerConfig config = ServerConfig.parse(Map.of("node.id", "1", "process.roles", "controller",
                "listeners", "CONTROLLER://10.0.0.1:19093",
                "controller.quorum.voters", "1@10.0.0.1:19093,2@10.0.0.2:19093,3@10.0.0.3:19093"));
        assertThat(config.isBroker()).isFalse();
        assertThat(config.brokerListeners()).isEmpty();
    }

    @Test
    void shouldRejectADedicatedControllerWhenItHasABrokerListener() {
        assertThatThrownBy(() -> ServerConfig.parse(Map.of("node.id", "1", "process.roles", "controller",
                "listeners", "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093")))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("[PLAINTEXT]");
    }

    @Test
    void shouldRejectAControllerWhenItIsNotAVoter() {
        assertThatThrownBy(() -> ServerConfig.parse(Map.of("node.id", "4", "process.roles", "controller",
                "listeners", "CONTROLLER://127.0.0.1:9093", "controller.quorum.voters", "1@127.0.0.1:9093")))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("must be in controller.quorum.voters");
    }

    @Test
    void shouldRejectABrokerOnlyNodeWhenItIsAVoterOrHasNoVoters() {
        assertThatThrownBy(() -> ServerConfig.parse(Map.of("node.id", "1", "process.roles", "broker",
                "controller.quorum.voters", "1@127.0.0.1:9093")))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("must include controller");
        assertThatThrownBy(() -> ServerConfig.parse(Map.of("process.roles", "broker")))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("needs controller.quorum.voters");
    }
}
