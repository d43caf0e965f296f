using ClinicBlazor.Features.DemoClinic;

namespace ClinicBlazor.Tests.Infrastructure;

/// <summary>The demo clinic's people, by role, as tests use them.</summary>
public static class DemoSignIns
{
    public static DemoStaff Admin => By("owner@");
    public static DemoStaff Receptionist => By("sam@");
    public static DemoStaff SecondReceptionist => By("alex@");
    public static DemoStaff Practitioner => By("priya@");
    public static DemoStaff SecondPractitioner => By("tom@");

    private static DemoStaff By(string prefix) => DemoClinicSeeder.Staff.Single(s => s.Email.StartsWith(prefix, StringComparison.Ordinal));
}
