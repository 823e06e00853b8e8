namespace Sensors360.History;

public enum HistoryFailure
{
    /// <summary>Dies without a precursor.</summary>
    Sudden,

    /// <summary>Its interval stretches and its beats get lost for days before it dies.</summary>
    Degrading,
}
