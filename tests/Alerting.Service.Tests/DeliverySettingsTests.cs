using Alerting.Service.Delivery;
using Microsoft.Extensions.Options;
using Sensors360.TestSupport;

namespace Alerting.Service.Tests;

public sealed class DeliverySettingsTests
{
    [Fact]
    public void Retries_wait_twice_as_long_each_time_up_to_the_cap()
    {
        var options = new DeliveryOptions { FirstRetryDelay = TimeSpan.FromSeconds(5), MaxRetryDelay = TimeSpan.FromSeconds(30) };

        Assert.Equal([5, 10, 20, 30, 30], Enumerable.Range(1, 5).Select(n => options.RetryDelay(n).TotalSeconds));
    }

    [Fact]
    public void Without_an_SMTP_host_the_settings_are_valid_and_email_is_off()
    {
        var smtp = SettingsHarness.Resolve<SmtpOptions>(SmtpOptions.Section);

        Assert.False(smtp.Configured);
    }

    [Theory]
    [InlineData("Alerting:Smtp:From", "not an address", "From")]
    [InlineData("Alerting:Smtp:Password", "", "UserName and Password go together")]
    [InlineData("Alerting:Smtp:Security", "Auto", "could send the password in clear")]
    public void An_SMTP_host_with_a_bad_sender_or_half_a_sign_in_stops_the_service_naming_the_setting(string key, string value, string named)
    {
        (string, string)[] settings = [("Alerting:Smtp:Host", "mail.example"), ("Alerting:Smtp:From", "alerts@example.com"),
            ("Alerting:Smtp:UserName", "alerts"), ("Alerting:Smtp:Password", "secret")];
        var error = Assert.Throws<OptionsValidationException>(() => SettingsHarness.Resolve<SmtpOptions>(SmtpOptions.Section,
            [.. settings.Where(s => s.Item1 != key), (key, value)]));

        Assert.Contains(named, error.Message);
    }
}
