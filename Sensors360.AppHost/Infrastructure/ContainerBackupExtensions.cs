namespace Sensors360.AppHost.Infrastructure;

/// <summary>
/// The container mode's PostgreSQL made backup-ready, so that eng/backup.sh and eng/restore.sh work there as they do
/// in the local mode: the stock image this Aspire version runs plus pgBackRest (deploy/containers/postgres), whose
/// entrypoint archives WAL once backups are set up, and a volume for pgBackRest's configuration and repository.
/// </summary>
public static class ContainerBackupExtensions
{
    /// <summary>Where the backup volume is mounted; eng/lib/pgbackrest-container.sh and the image use the same path.</summary>
    public const string BackupVolumeTarget = "/var/lib/pgbackrest";

    /// <summary>The image the server ran before <see cref="WithPgBackRest"/>: the base of its own.</summary>
    public static ContainerImageAnnotation StockImage(this IResourceBuilder<PostgresServerResource> server) =>
        server.Resource.Annotations.OfType<ContainerImageAnnotation>().Last();

    public static IResourceBuilder<PostgresServerResource> WithPgBackRest(this IResourceBuilder<PostgresServerResource> server)
    {
        var stock = server.StockImage();
        var context = Path.GetFullPath(Path.Combine(server.ApplicationBuilder.AppHostDirectory, "..", "deploy", "containers", "postgres"));
        return server
            .WithDockerfile(context)
            .WithBuildArg("BASE_IMAGE", $"{stock.Registry}/{stock.Image}:{stock.Tag}")
            .WithVolume(VolumeNameGenerator.Generate(server, "pgbackrest"), BackupVolumeTarget);
    }
}
