using System.Net;
using System.Net.Mail;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Features.Notifications;

/// <summary>The <c>Notifications</c> configuration section (see SPEC.md, "Delivery channels and configuration").</summary>
public sealed class NotificationsOptions
{
    public const string Section = "Notifications";

    public int BatchWindowSeconds { get; set; } = 60;
    public int MaxParallelSends { get; set; } = 4;

    /// <summary>
    /// How long a claimed delivery stays the claimer's: after that (the process died mid-send) it is
    /// taken up again — email re-sent, SMS reconciled. Longer than the slowest send.
    /// </summary>
    public int LeaseSeconds { get; set; } = 300;

    public RetryOptions Retry { get; set; } = new();
    public EmailOptions Email { get; set; } = new();

    public sealed class RetryOptions
    {
        public int FirstDelaySeconds { get; set; } = 30;
        public int GiveUpAfterHours { get; set; } = 24;
    }

    public sealed class EmailOptions
    {
        public SmtpOptions Smtp { get; set; } = new();
        public string PickupDirectory { get; set; } = "App_Data/outbox";

        public bool UsesSmtp => !string.IsNullOrWhiteSpace(Smtp.Host);
    }

    public sealed class SmtpOptions
    {
        public string? Host { get; set; }
        public int? Port { get; set; }

        /// <summary>StartTls (default), SslOnConnect, None or Auto; kept as text so a typo is a sentence, not a binder exception.</summary>
        public string Security { get; set; } = nameof(SmtpSecurity.StartTls);
        public string? Username { get; set; }
        public string? Password { get; set; }
        public string FromAddress { get; set; } = "notices@clinic.invalid";
        public string FromName { get; set; } = "ClinicBlazor";

        public SmtpSecurity ParsedSecurity => Enum.TryParse<SmtpSecurity>(Security, ignoreCase: true, out var value) ? value : SmtpSecurity.StartTls;

        public int EffectivePort => Port ?? ParsedSecurity switch
        {
            SmtpSecurity.SslOnConnect => 465,
            SmtpSecurity.None => 25,
            _ => 587,
        };
    }
}

public enum SmtpSecurity
{
    StartTls,
    SslOnConnect,
    None,
    Auto,
}

/// <summary>One sentence per wrong value, at start-up.</summary>
internal sealed class NotificationsOptionsValidator : IValidateOptions<NotificationsOptions>
{
    public ValidateOptionsResult Validate(string? name, NotificationsOptions options)
    {
        var errors = new List<string>();
        if (options.BatchWindowSeconds is < 0 or > 3600)
        {
            errors.Add($"Notifications:BatchWindowSeconds must be between 0 and 3600 seconds (it is {options.BatchWindowSeconds}).");
        }

        if (options.MaxParallelSends is < 1 or > 32)
        {
            errors.Add($"Notifications:MaxParallelSends must be between 1 and 32 (it is {options.MaxParallelSends}).");
        }

        if (options.LeaseSeconds is < 10 or > 3600)
        {
            errors.Add($"Notifications:LeaseSeconds must be between 10 and 3600 seconds (it is {options.LeaseSeconds}).");
        }

        if (options.Retry.FirstDelaySeconds is < 1 or > 3600)
        {
            errors.Add($"Notifications:Retry:FirstDelaySeconds must be between 1 and 3600 (it is {options.Retry.FirstDelaySeconds}).");
        }

        if (options.Retry.GiveUpAfterHours is < 1 or > 168)
        {
            errors.Add($"Notifications:Retry:GiveUpAfterHours must be between 1 and 168 hours (it is {options.Retry.GiveUpAfterHours}).");
        }

        var smtp = options.Email.Smtp;
        if (options.Email.UsesSmtp)
        {
            if (!Enum.TryParse<SmtpSecurity>(smtp.Security, ignoreCase: true, out var security) || int.TryParse(smtp.Security, out _))
            {
                errors.Add($"Notifications:Email:Smtp:Security must be StartTls, SslOnConnect, None or Auto (it is \"{smtp.Security}\").");
            }
            else if (security is SmtpSecurity.None or SmtpSecurity.Auto && !IsLoopback(smtp.Host!))
            {
                errors.Add($"Notifications:Email:Smtp:Security {security} sends mail unencrypted and is only allowed for a loopback host; use StartTls or SslOnConnect for {smtp.Host}.");
            }

            if (smtp.Port is < 1 or > 65535)
            {
                errors.Add($"Notifications:Email:Smtp:Port must be between 1 and 65535 (it is {smtp.Port}).");
            }

            if (!string.IsNullOrEmpty(smtp.Username) && string.IsNullOrEmpty(smtp.Password))
            {
                errors.Add("Notifications:Email:Smtp:Password must be set when Notifications:Email:Smtp:Username is.");
            }
        }
        else if (string.IsNullOrWhiteSpace(options.Email.PickupDirectory))
        {
            errors.Add("Notifications:Email:PickupDirectory must be a folder when no Notifications:Email:Smtp:Host is set.");
        }

        if (!IsEmailAddress(smtp.FromAddress))
        {
            errors.Add($"Notifications:Email:Smtp:FromAddress must be an email address (it is \"{smtp.FromAddress}\").");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    internal static bool IsEmailAddress(string? value) =>
        !string.IsNullOrWhiteSpace(value) && MailAddress.TryCreate(value, out var address) && address.Address == value.Trim() && value.Contains('.', StringComparison.Ordinal);
}
