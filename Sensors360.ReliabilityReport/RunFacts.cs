namespace Sensors360.ReliabilityReport;

/// <summary>When and on what the report was rendered, for its first line.</summary>
public sealed record RunFacts(DateTimeOffset RenderedAt, string Commit, int Cores, string Cpu);
