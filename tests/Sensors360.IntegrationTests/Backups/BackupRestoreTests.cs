namespace Sensors360.IntegrationTests.Backups;

/// <summary>
/// eng/backup.sh and eng/restore.sh (pgBackRest) on a server run as the AppHost runs its local primary: heartbeats
/// written between backups come back exactly as they were at the moment restored to.
/// </summary>
public sealed class BackupRestoreTests
{
    const int BeforeFull = 1_000, BeforeMoment = 500, AfterMoment = 250, AfterIncremental = 125;
    static readonly TimeSpan ArchiveTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_restore_to_a_moment_between_two_backups_brings_back_exactly_the_heartbeats_committed_before_it()
    {
        await using var postgres = new ArchivingPostgres();
        await RunScenarioAsync(postgres, new Dictionary<string, string?>());
        Assert.True(Directory.EnumerateFiles(Path.Combine(postgres.DataDirectory, "backups"), "*", SearchOption.AllDirectories).Any(),
            "the repository is on local disk by default, in <data dir>/backups");
    }

    [Fact]
    public async Task Backups_in_an_S3_repository_restore_as_exactly_as_on_local_disk()
    {
        await using var s3 = await LocalS3Server.StartAsync();
        await using var postgres = new ArchivingPostgres();
        await RunScenarioAsync(postgres, s3.BackupSettings);
        Assert.False(Directory.Exists(Path.Combine(postgres.DataDirectory, "backups")), "nothing went to the local repository");
        var stored = s3.StoredFiles().ToList();
        Assert.Contains(stored, f => f.Contains("backup.info", StringComparison.Ordinal));
        Assert.Contains(stored, f => f.Contains("archive", StringComparison.Ordinal) && f.Contains(".zst", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_local_server_or_a_database_container_the_scripts_say_what_is_missing_and_change_nothing()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("sensors360-nobackup-");
        try
        {
            var environment = new Dictionary<string, string?> { ["SENSORS360_DATA_DIR"] = dataDirectory.FullName };

            // No local data, so the database must be the container mode's: this machine has no engine, or none runs it.
            var (exitCode, output) = await Scripts.RunEngAsync("backup.sh", [], environment);
            Assert.NotEqual(0, exitCode);
            Assert.True(output.Contains("no container engine answers", StringComparison.Ordinal)
                || output.Contains("no PostgreSQL container runs", StringComparison.Ordinal), output);

            (exitCode, output) = await Scripts.RunEngAsync("restore.sh", ["--latest"], environment);
            Assert.NotEqual(0, exitCode);
            Assert.Contains("no backups are configured", output, StringComparison.Ordinal);
            Assert.Empty(dataDirectory.EnumerateFileSystemInfos("*", SearchOption.AllDirectories));
        }
        finally
        {
            dataDirectory.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Heartbeats, a full backup, more heartbeats, the moment, more heartbeats, an incremental backup, more heartbeats
    /// that exist only in archived WAL; then restores to the end of the archive and to the moment.
    /// </summary>
    static async Task RunScenarioAsync(ArchivingPostgres postgres, IReadOnlyDictionary<string, string?> settings)
    {
        var environment = new Dictionary<string, string?>(settings) { ["SENSORS360_DATA_DIR"] = postgres.DataDirectory };
        await postgres.StartAsync();
        await postgres.ScalarAsync("""
            CREATE TABLE heartbeats (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                sensor_id int NOT NULL,
                received_at timestamptz NOT NULL DEFAULT clock_timestamp());
            SELECT 0
            """);

        // Before the first backup there is nowhere to archive to: the server lets segments go rather than keep them.
        await SwitchWalAndWaitUntilArchivedAsync(postgres);
        Assert.Equal(0, await postgres.ScalarAsync("SELECT failed_count FROM pg_stat_archiver"));

        await WriteHeartbeatsAsync(postgres, BeforeFull);
        var (exitCode, output) = await Scripts.RunEngAsync("backup.sh", [], environment);
        Assert.True(exitCode == 0, output);
        Assert.Contains("no backup yet: this one is full", output, StringComparison.Ordinal);

        // pgBackRest picks the backup to restore by its stop time, kept in whole seconds: a moment in the second the
        // full backup ended would find no backup before it. The moment comes a second later.
        var backupDone = await postgres.TextAsync("SELECT (date_trunc('second', clock_timestamp()) + interval '1 second')::text");
        Assert.True(await Poll.UntilAsync(async () => await postgres.ScalarAsync($"SELECT (clock_timestamp() > '{backupDone}')::int") == 1,
            TimeSpan.FromSeconds(5)), "the clock did not move");
        await WriteHeartbeatsAsync(postgres, BeforeMoment);
        // Read after the commit above returned and before the next began: every commit is strictly on one side of it.
        var moment = await postgres.TextAsync("SELECT clock_timestamp()::text");
        await WriteHeartbeatsAsync(postgres, AfterMoment);
        (exitCode, output) = await Scripts.RunEngAsync("backup.sh", [], environment);
        Assert.True(exitCode == 0, output);
        Assert.Contains("incr backup", output, StringComparison.Ordinal);
        Assert.Matches(@"incr backup: \d{8}-\d{6}F_\d{8}-\d{6}I", output);

        await WriteHeartbeatsAsync(postgres, AfterIncremental);
        await SwitchWalAndWaitUntilArchivedAsync(postgres);

        (exitCode, output) = await Scripts.RunEngAsync("restore.sh", ["--latest"], environment);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("Stop the system first", output, StringComparison.Ordinal);
        await postgres.StopAsync();

        // Everything archived: the incremental backup and the WAL after it.
        (exitCode, output) = await Scripts.RunEngAsync("restore.sh", ["--latest"], environment);
        Assert.True(exitCode == 0, output);
        await postgres.StartAsync();
        Assert.Equal(BeforeFull + BeforeMoment + AfterMoment + AfterIncremental, await postgres.ScalarAsync("SELECT count(*) FROM heartbeats"));
        await postgres.StopAsync();

        // The moment: the full backup and the WAL up to it, not a row more or less.
        (exitCode, output) = await Scripts.RunEngAsync("restore.sh", ["--time", moment], environment);
        Assert.True(exitCode == 0, output);
        await postgres.StartAsync();
        Assert.Equal(BeforeFull + BeforeMoment, await postgres.ScalarAsync("SELECT count(*) FROM heartbeats"));
        Assert.Equal(0, await postgres.ScalarAsync("SELECT pg_is_in_recovery()::int"));
        await postgres.StopAsync();
    }

    static Task WriteHeartbeatsAsync(ArchivingPostgres postgres, int count) =>
        postgres.ScalarAsync($"INSERT INTO heartbeats (sensor_id) SELECT g % 20 FROM generate_series(1, {count}) g; SELECT 0");

    /// <summary>Closes the current WAL segment and waits until the server reports it archived.</summary>
    static async Task SwitchWalAndWaitUntilArchivedAsync(ArchivingPostgres postgres)
    {
        var segment = await postgres.TextAsync("SELECT pg_walfile_name(pg_switch_wal())");
        var archived = await Poll.UntilAsync(async () =>
            await postgres.ScalarAsync($"SELECT count(*) FROM pg_stat_archiver WHERE last_archived_wal >= '{segment}'") == 1, ArchiveTimeout);
        Assert.True(archived, $"WAL segment {segment} was not archived within {ArchiveTimeout.TotalSeconds} s");
    }
}
