/*
 * The parts of tern's ACPI namespace that are the same for every VM,
 * compiled by iasl at build time into an SSDT that tern copies into guest
 * memory. What depends on the VM (a processor device per vCPU, the virtio
 * slots) is generated in C (src/arch/aarch64/portable/acpi_dsdt.c).
 *
 * The addresses and interrupts below are those of src/arch/aarch64/layout.h;
 * tests/unit/test_acpi.c checks that they agree.
 */
DefinitionBlock ("", "SSDT", 2, "TERN  ", "STATIC  ", 1)
{
    Scope (\_SB)
    {
        /* APEI's WHEA capabilities: granting them is what makes Linux put
         * GHES in firmware-first mode. Any other UUID is not ours. */
        Method (_OSC, 4, NotSerialized)
        {
            CreateDWordField (Arg3, Zero, CDW1)
            If ((Arg0 == ToUUID ("ed855e0c-6c90-47bf-a62a-26de0fc5ad5c")))
            {
                Return (Arg3)
            }
            CDW1 |= 0x04 /* unrecognised UUID */
            Return (Arg3)
        }

        /* The 16550A console (LAYOUT_UART_BASE, SPI LAYOUT_SPI_UART):
         * Linux's 8250 driver takes PNP0501 through PNPACPI. */
        Device (COM0)
        {
            Name (_HID, "PNP0501")
            Name (_UID, Zero)
            Name (_CCA, One)
            Name (_CRS, ResourceTemplate ()
            {
                Memory32Fixed (ReadWrite, 0x09000000, 0x00001000)
                Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive) { 33 }
            })
        }

        /* The power button. Hardware-reduced ACPI has no fixed one: a
         * Generic Event Device turns an edge on SPI LAYOUT_SPI_GED into
         * Notify (PWRB, 0x80), which Linux reports as KEY_POWER. */
        Device (PWRB)
        {
            Name (_HID, "PNP0C0C")
            Name (_UID, Zero)
        }

        Device (GED0)
        {
            Name (_HID, "ACPI0013")
            Name (_UID, Zero)
            Name (_CRS, ResourceTemplate ()
            {
                Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive) { 40 }
            })
            Method (_EVT, 1, NotSerialized)
            {
                Notify (\_SB.PWRB, 0x80)
            }
        }
    }
}
