namespace ClinicBlazor.Features.Notifications;

/// <summary>What a held delivery waits for: the page turns it into a sentence.</summary>
public enum HoldCode
{
    /// <summary>The mail server refused the app's sign-in (SMTP 535).</summary>
    EmailSettings = 0,

    /// <summary>Twilio refused the clinic's account or settings (20003, 21606, 21408).</summary>
    SmsSettings = 1,
}

/// <summary>The sentences people read for a <see cref="HoldCode"/>.</summary>
public static class HoldCodes
{
    public static string Sentence(this HoldCode code) => code switch
    {
        HoldCode.EmailSettings => "waiting for the email settings to be fixed",
        _ => "waiting for the SMS settings to be fixed",
    };
}
