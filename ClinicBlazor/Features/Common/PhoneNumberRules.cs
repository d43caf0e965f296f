using PhoneNumbers;

namespace ClinicBlazor.Features.Common;

/// <summary>Phone numbers as people type them, read with the clinic's country as the default region and kept as E.164.</summary>
public static class PhoneNumberRules
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <summary>Normalises a mobile number to E.164; the error is a sentence for the field.</summary>
    public static Result<string> NormalizeMobile(string? input, string region)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            return Result<string>.Fail("Enter a mobile number.");
        }

        try
        {
            var number = Util.Parse(input.Trim(), region);
            if (!Util.IsValidNumber(number))
            {
                return Result<string>.Fail("That is not a valid phone number.");
            }

            var type = Util.GetNumberType(number);
            if (type is not (PhoneNumberType.MOBILE or PhoneNumberType.FIXED_LINE_OR_MOBILE))
            {
                return Result<string>.Fail("That is not a mobile number: SMS needs a mobile.");
            }

            return Result<string>.Ok(Util.Format(number, PhoneNumberFormat.E164));
        }
        catch (NumberParseException)
        {
            return Result<string>.Fail("That is not a valid phone number.");
        }
    }

    /// <summary>"+61412345678" shown as people write it in the clinic's country ("0412 345 678").</summary>
    public static string Display(string? e164, string region)
    {
        if (string.IsNullOrEmpty(e164))
        {
            return "";
        }

        try
        {
            var number = Util.Parse(e164, region);
            return Util.GetRegionCodeForNumber(number) == region
                ? Util.Format(number, PhoneNumberFormat.NATIONAL)
                : Util.Format(number, PhoneNumberFormat.INTERNATIONAL);
        }
        catch (NumberParseException)
        {
            return e164;
        }
    }
}
