using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace ClinicBlazor.Data;

/// <summary>
/// How the Data Protection key ring (what signs sign-in cookies and antiforgery tokens) is kept at
/// rest in the database, chosen by the operator under <c>DataProtection</c>: encrypted with a
/// certificate every node can read, or stored in clear on purpose.
/// </summary>
public sealed class KeyRingOptions
{
    public const string Section = "DataProtection";

    /// <summary>A PFX file with its private key, readable by every node: each new key is encrypted with it.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>Certificates used before this one (PFX files), still read to decrypt the keys written under them.</summary>
    public List<PreviousCertificate> PreviousCertificates { get; set; } = [];

    /// <summary>
    /// The keys are stored in clear on purpose (the database's access control and its encryption at
    /// rest protect them): the start-up warning is not written.
    /// </summary>
    public bool UnencryptedKeys { get; set; }

    public sealed class PreviousCertificate
    {
        public string Path { get; set; } = "";

        public string? Password { get; set; }
    }
}

/// <summary>Applies <see cref="KeyRingOptions"/> to the Data Protection builder, and says at start-up how the keys are kept.</summary>
internal static class KeyRingProtection
{
    public static IDataProtectionBuilder ProtectKeysAsConfigured(this IDataProtectionBuilder dataProtection, IConfiguration configuration, IHostEnvironment environment)
    {
        var options = configuration.GetSection(KeyRingOptions.Section).Get<KeyRingOptions>() ?? new KeyRingOptions();
        if (!string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            var current = Load($"{KeyRingOptions.Section}:{nameof(KeyRingOptions.CertificatePath)}", options.CertificatePath, options.CertificatePassword, environment);
            var previous = options.PreviousCertificates.Select((p, i) =>
                Load($"{KeyRingOptions.Section}:{nameof(KeyRingOptions.PreviousCertificates)}:{i}:{nameof(KeyRingOptions.PreviousCertificate.Path)}", p.Path, p.Password, environment));
            return dataProtection.ProtectKeysWithCertificate(current).UnprotectKeysWithAnyCertificate([current, .. previous]);
        }

        // In clear, said once here rather than by the framework for every key it writes ("No XML
        // encryptor configured"); a choice made with UnencryptedKeys, and Development, say nothing.
        dataProtection.Services.Configure<KeyManagementOptions>(keys => keys.XmlEncryptor = new NullXmlEncryptor());
        if (!options.UnencryptedKeys && !environment.IsDevelopment())
        {
            dataProtection.Services.AddHostedService<UnencryptedKeysWarning>();
        }

        return dataProtection;
    }

    private static X509Certificate2 Load(string key, string path, string? password, IHostEnvironment environment)
    {
        var fullPath = Path.GetFullPath(path, environment.ContentRootPath);
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(fullPath, password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (Exception exception) when (exception is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{key} names {fullPath}, which cannot be read as a PFX certificate ({exception.Message.TrimEnd('.')}): check the file and {KeyRingOptions.Section}'s password for it.", exception);
        }

        return certificate.HasPrivateKey
            ? certificate
            : throw new InvalidOperationException($"{key} names {fullPath}, a certificate without its private key: the keys could be encrypted but never read back. Export it with its private key (PFX).");
    }

    private sealed class UnencryptedKeysWarning(ILogger<UnencryptedKeysWarning> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            logger.LogWarning(
                "The sign-in keys are stored unencrypted in the database's DataProtectionKeys table: whoever can read it can forge sign-ins. Set {Key} to a PFX certificate every node can read, or set {Choice}=true if the database's own protection is enough.",
                $"{KeyRingOptions.Section}:{nameof(KeyRingOptions.CertificatePath)}",
                $"{KeyRingOptions.Section}:{nameof(KeyRingOptions.UnencryptedKeys)}");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
