using System.Text.RegularExpressions;

namespace Sensors360.Contracts;

/// <summary>
/// What a label is: sensors' labels, collector keys' selectors and alert rules' selectors follow the same rules, so a
/// selector can name any label a sensor can have and nothing a sensor cannot.
/// </summary>
public static partial class SensorLabels
{
    public const int MaxLabels = 32;
    public const int MaxValueLength = 256;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.\\-/]{0,62}$")]
    private static partial Regex Key();

    /// <summary>Adds <paramref name="field"/> → messages to <paramref name="errors"/> when <paramref name="labels"/> break the rules.</summary>
    public static void Validate(Dictionary<string, string[]> errors, string field, IReadOnlyDictionary<string, string>? labels)
    {
        labels ??= new Dictionary<string, string>();
        if (labels.Count > MaxLabels)
        {
            errors[field] = [$"{labels.Count} labels; at most {MaxLabels}."];
            return;
        }

        var bad = labels.Where(l => !Key().IsMatch(l.Key) || l.Value is null || l.Value.Length > MaxValueLength || l.Value.Any(char.IsControl))
            .Select(l => $"Label '{l.Key}': keys are 1-63 of A-Z a-z 0-9 _ . - / (starting with a letter or digit); values at most {MaxValueLength} characters.")
            .ToArray();
        if (bad.Length > 0)
        {
            errors[field] = bad;
        }
    }
}
