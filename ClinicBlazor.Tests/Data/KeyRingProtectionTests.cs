using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ClinicBlazor.Data;
using ClinicBlazor.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClinicBlazor.Tests.Data;

/// <summary>
/// The Data Protection keys at rest in the database: encrypted with the operator's certificate when
/// one is configured (and still read by a second node with the same certificate), otherwise stored in
/// clear through an encryptor chosen on purpose, never the framework's "no XML encryptor" fallback.
/// </summary>
public sealed class KeyRingProtectionTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "clinicblazor-tests", Guid.NewGuid().ToString("N"));

    public KeyRingProtectionTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task With_a_certificate_the_stored_keys_are_encrypted_and_a_second_node_with_it_accepts_the_first_ones_cookie()
    {
        var pfx = WriteCertificate("keys.pfx", "pfx-password");
        await using var nodeA = new ClinicAppFactory()
            .With("DataProtection:CertificatePath", pfx)
            .With("DataProtection:CertificatePassword", "pfx-password");
        using var atA = new SignInClient(nodeA.ServerAddress);
        var signIn = await atA.SignInAsync(DemoSignIns.Receptionist.Email, DemoSignIns.Receptionist.Password);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.DoesNotContain("/Account/Login", signIn.Headers.Location?.OriginalString ?? "", StringComparison.Ordinal);

        var key = await StoredKeyAsync(nodeA);
        Assert.Contains("<EncryptedData", key, StringComparison.Ordinal);
        Assert.Contains("X509Data", key, StringComparison.Ordinal);
        Assert.DoesNotContain("<masterKey", key, StringComparison.Ordinal);

        await using var nodeB = new ClinicAppFactory()
            .With("ConnectionStrings:Clinic", nodeA.ConnectionString)
            .With("DataProtection:CertificatePath", pfx)
            .With("DataProtection:CertificatePassword", "pfx-password");
        using var handlerAtB = new HttpClientHandler { CookieContainer = atA.Handler.CookieContainer, AllowAutoRedirect = false };
        using var atB = new HttpClient(handlerAtB) { BaseAddress = nodeB.ServerAddress };
        Assert.Equal(HttpStatusCode.OK, (await atB.GetAsync("/calendar")).StatusCode);
    }

    [Fact]
    public async Task Without_a_certificate_the_keys_are_stored_in_clear_through_the_encryptor_chosen_for_it()
    {
        await using var app = new ClinicAppFactory();
        using var client = new SignInClient(app.ServerAddress);
        _ = await client.Http.GetStringAsync("/Account/Login");

        var key = await StoredKeyAsync(app);

        // NullXmlEncryptor's wrapper: the framework writes a key bare (and warns) only when no encryptor is set.
        Assert.Contains("NullXmlDecryptor", key, StringComparison.Ordinal);
        Assert.Contains("<masterKey", key, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreadable_certificate_stops_the_start_with_a_sentence_naming_the_key()
    {
        var notAPfx = Path.Combine(directory, "keys.pfx");
        await File.WriteAllTextAsync(notAPfx, "not a certificate");

        var (exitCode, output) = await AppProcess.RunUntilExitAsync(
            new Dictionary<string, string?>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["App__PublicBaseUrl"] = "https://clinic.example",
                ["ConnectionStrings__Clinic"] = $"Data Source={Path.Combine(directory, "clinic.db")}",
                ["DataProtection__CertificatePath"] = notAPfx,
            },
            TimeSpan.FromMinutes(2));

        Assert.Equal(1, exitCode);
        Assert.Contains($"DataProtection:CertificatePath names {notAPfx}, which cannot be read as a PFX certificate", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    private static async Task<string> StoredKeyAsync(ClinicAppFactory app)
    {
        await using var db = await app.CreateDbContextAsync();
        var keys = await db.DataProtectionKeys.AsNoTracking().Select(k => k.Xml).ToListAsync();
        return Assert.Single(keys)!;
    }

    /// <summary>A self-signed certificate with its private key, as a PFX file an operator would give every node.</summary>
    private string WriteCertificate(string name, string password)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=ClinicBlazor key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var path = Path.Combine(directory, name);
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return path;
    }
}
